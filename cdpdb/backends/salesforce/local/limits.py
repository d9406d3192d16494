"""The local Data Cloud's limits: every emulator's, and the page sizes of Data Cloud's own APIs,
with the documented values (:mod:`cdpdb.backends.salesforce.wire`) as defaults."""

from __future__ import annotations

from dataclasses import dataclass

from cdpdb.backends.salesforce import wire
from cdpdb.local.faults import ServerLimits


@dataclass
class Limits(ServerLimits):
    """Sizes and timings the server applies to every request (the documented values by default)."""

    max_concurrent: int = wire.MAX_CONCURRENT_REQUESTS
    v1_max_rows: int = wire.V1_MAX_ROWS
    v2_batch_bytes: int = wire.V2_BATCH_BYTES
    v2_batch_rows: int | None = None
    v3_chunk_rows: int = wire.V3_CHUNK_ROWS
    v3_max_byte_limit: int = wire.V3_BYTE_LIMIT
    connect_page_bytes: int = wire.CONNECT_PAGE_BYTES
    ingest_delay_seconds: float = 0.0  # before ingested rows are visible (Data Cloud: about 3 minutes)
    adaptive_wait_seconds: float = wire.ADAPTIVE_WAIT_SECONDS  # ADAPTIVE / Connect POST wait before "running"
