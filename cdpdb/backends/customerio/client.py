"""The Data Pipelines API over HTTP: the key on every call, strict mode always, paced requests,
retries that cannot duplicate a call, and an exact account of what was accepted.

Every request goes to ``/v1/batch`` with ``X-Strict-Mode: 1``: without it the API answers 200
to a request it will not process (too big, bad key, bad payload), which would be silent loss.
Retries: 429, 502, 503, 504 and broken connections are retried by the HTTP layer, and 500 and
other 5xx here, with the policy's backoff; repeating a request is safe because its calls keep
their ``messageId`` and the service keeps one call per id.
"""

from __future__ import annotations

import base64
import logging
import time
from dataclasses import dataclass, field

from cdpdb.backends.customerio import packer, wire
from cdpdb.backends.customerio.calls import Calls
from cdpdb.backends.customerio.errors import error_from_response
from cdpdb.backends.customerio.settings import Settings
from cdpdb.core.http import HttpClient
from cdpdb.core.pace import Pacer
from cdpdb.core.retry import RETRY_STATUSES
from cdpdb.exceptions import Error, WriteReport

log = logging.getLogger(__name__)


@dataclass
class SendStats:
    """What the sink did in all (benchmarks and tests read it): requests sent (retries included),
    bytes of the bodies, seconds spent waiting for the pace."""

    requests: int = 0
    attempts: int = 0
    bytes: int = 0
    paced_seconds: float = 0.0
    spans: list[int] = field(default_factory=list)  # calls per request, in order


class PipelinesApi:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.http = HttpClient(settings.http_options(), error_from_response)
        key = settings.api_key or ""
        basic = "Basic " + base64.b64encode(f"{key}:".encode()).decode()  # the key, an empty password
        login = f"Bearer {key}" if settings.bearer else basic
        self._headers = {
            "Authorization": login,
            "Content-Type": "application/json",
            wire.STRICT_HEADER: wire.STRICT_ON,
        }
        # Each request counts from its answer (see core/pace.py), so the API's own window is safe.
        self.pacer = Pacer(settings.rate_limit, wire.RATE_WINDOW_SECONDS)
        self.stats = SendStats()

    @property
    def batch_url(self) -> str:
        return self.settings.base + wire.BATCH

    def send(self, calls: Calls) -> int:
        """Send every call; the number accepted. If a request fails after its retries, raise its
        error with a WriteReport: the rows of the requests before it were accepted, its rows and
        those after it were not (nothing after a failure is sent, so the account stays exact)."""
        spans = packer.plan(calls, self.settings.max_batch_bytes)
        accepted = 0
        for number, span in enumerate(spans):
            data = packer.body(calls, span)
            try:
                self._post(data, f"sending {calls.kind} rows {span.start}-{span.stop - 1} ({len(span)} calls)")
            except Error as exc:
                exc.write = _report(len(calls), spans, number, str(exc.message))
                raise
            accepted += len(span)
            self.stats.spans.append(len(span))
        return accepted

    def _post(self, data: bytes, what: str) -> None:
        policy = self.settings.http_options().retry
        retrying = policy.retrying(_server_failure, lambda error: None)
        self.stats.requests += 1

        def attempt() -> None:
            self.stats.attempts += 1
            self.stats.bytes += len(data)
            with self.pacer.slot() as waited:
                self.stats.paced_seconds += waited
                self.http.call("POST", self.batch_url, data=data, headers=self._headers, what=what, expect="none")

        started = time.perf_counter()
        retrying(attempt)
        log.debug("%s: %d bytes in %.0f ms", what, len(data), (time.perf_counter() - started) * 1000)

    def close(self) -> None:
        self.http.close()


def _server_failure(error: BaseException) -> bool:
    """A 5xx the HTTP layer does not retry itself (500, 501...): repeated here, as it may not have
    been processed and a repeat cannot duplicate a call."""
    status = getattr(error, "status", None)
    return isinstance(error, Error) and status is not None and status >= 500 and status not in RETRY_STATUSES


def _report(total: int, spans: list[range], failed: int, why: str) -> WriteReport:
    accepted = tuple(spans[:failed])
    rejected = [(spans[failed], f"its request failed: {why}")]
    if failed + 1 < len(spans):
        rest = range(spans[failed + 1].start, total)
        rejected.append((rest, "not sent: an earlier request of the statement failed"))
    merged = (range(accepted[0].start, accepted[-1].stop),) if accepted else ()
    return WriteReport(total, merged, tuple(rejected))
