"""The local Customer.io's limits: every emulator's, and the Pipelines API's documented ones."""

from __future__ import annotations

from dataclasses import dataclass

from cdpdb.backends.customerio import wire
from cdpdb.local.faults import ServerLimits


@dataclass
class Limits(ServerLimits):
    """``rate_requests`` per ``rate_window_seconds`` (per server, as per source: one key per
    source) are accepted; above it the server answers 429 with Retry-After."""

    max_concurrent: int = 64  # Customer.io documents no concurrency limit; the kit's 15 is Data Cloud's
    max_call_bytes: int = wire.MAX_CALL_BYTES
    max_batch_bytes: int = wire.MAX_BATCH_BYTES
    rate_requests: int = wire.RATE_REQUESTS
    rate_window_seconds: float = wire.RATE_WINDOW_SECONDS
