"""The local Adobe's limits: every emulator's, and Adobe's own sizes and times."""

from __future__ import annotations

from dataclasses import dataclass

from cdpdb.backends.adobe import wire
from cdpdb.local.faults import ServerLimits


@dataclass
class Limits(ServerLimits):
    max_batch_identities: int = wire.MAX_BATCH_IDENTITIES  # identities per POST /access/entities
    max_event_limit: int = wire.MAX_EVENT_LIMIT  # events per page
    token_lifetime_seconds: int = wire.TOKEN_LIFETIME_SECONDS  # expires_in of an IMS token
    job_seconds: float = 0.0  # how long a system or export job takes (NEW half of it, PROCESSING the rest)
