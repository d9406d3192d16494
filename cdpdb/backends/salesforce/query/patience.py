"""How long a reader waits for one download of a result (a V3 chunk, a piece of rows by offset)
before it gives up with an error naming it: what the driver and the scale-out workers share."""

from __future__ import annotations

from cdpdb.backends.salesforce.settings import Settings
from cdpdb.core.results.fetch import Patience
from cdpdb.exceptions import OperationalError

#: What bounds one chunk's download as the HTTP layer runs it: retries stop once
#: ``retry_max_seconds`` have passed, and the last attempt waits at most ``read_timeout`` for each
#: piece of the answer (plus ``connect_timeout`` to connect). Named when a chunk is waited for longer.
CHUNK_BOUND = "read_timeout + retry_max_seconds"


def chunk_patience(settings: Settings, query_id: str, first: int = 0, unit: str = "chunk") -> Patience:
    """How long a reader waits for chunk ``first + n`` of ``query_id`` before raising: the HTTP
    layer's own bound (:data:`CHUNK_BOUND` + ``connect_timeout``), so its error (more precise)
    normally comes first; this one catches a download stuck where no socket timeout reaches, such
    as an answer that trickles in, each piece within ``read_timeout``, and never ends."""
    seconds = settings.read_timeout + settings.retry_max_seconds + settings.connect_timeout

    def late(n: int, waited: float) -> OperationalError:
        return OperationalError(
            f"{unit} {first + n} of query {query_id} did not arrive within {waited:g} s ({CHUNK_BOUND} + "
            "connect_timeout): its download stopped making progress; check the network and the server, "
            "or raise read_timeout",
            query_id=query_id,
            reason="deadline",
        )

    return Patience(seconds, late)
