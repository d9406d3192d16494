"""The local Treasure Data's limits: every emulator's, and the page sizes of the Audience API."""

from __future__ import annotations

from dataclasses import dataclass

from cdpdb.backends.treasuredata import wire
from cdpdb.local.faults import ServerLimits


@dataclass
class Limits(ServerLimits):
    """Sizes and timings the server applies (TD documents none: these are our defaults).

    ``query_seconds`` (from the kit) is the least time a segment query runs, so tests can poll a
    running query and kill it mid-run."""

    page_size: int = wire.DEFAULT_PAGE_SIZE  # rows per /customers page when the query gives no pageSize
    max_page_size: int = wire.MAX_PAGE_SIZE
    activation_page_size: int = wire.DEFAULT_ACTIVATION_PAGE_SIZE
    max_activation_page_size: int = wire.MAX_ACTIVATION_PAGE_SIZE
    trino_page_rows: int = 10_000  # rows per answer of the Trino endpoint (Trino sizes pages by bytes: UNCONFIRMED)
