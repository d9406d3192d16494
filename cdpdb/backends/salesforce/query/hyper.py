"""What Query API V3 and Connect ``query-sql`` share: query ids, long-poll status, cancel."""

from __future__ import annotations

from typing import Any

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.query.base import Protocol
from cdpdb.core.jobs import QueryControl, Status, wait_until_done
from cdpdb.core.results.schema import Column
from cdpdb.core.retry import Deadline
from cdpdb.exceptions import OperationalError


def is_finished(status: Status) -> bool:
    return str(status.get("completionStatus", "")).upper().replace("_", "") in ("FINISHED", "RESULTSPRODUCED")


def columns_from_meta(meta: list[dict[str, Any]] | None) -> list[Column] | None:
    """V3 ``metadata.columns`` / Connect ``metadata``: name, type, nullable, precision, scale."""
    if not meta:
        return None
    return [Column(c["name"], c["type"], c.get("precision"), c.get("scale"), c.get("nullable")) for c in meta]


class HyperProtocol(Protocol):
    """What V3 and Connect share: asynchronous queries with a long-poll status and cancel."""

    supports_async = True

    def _query_url(self, query_id: str) -> str:
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        return {}

    def _status_of(self, body: dict[str, Any]) -> Status:
        """The status object of a status answer (V3: the body itself; Connect: body["status"])."""
        return body

    def status(self, query_id: str, wait_ms: int = 0) -> Status:
        body = self.http.call(
            "GET",
            self._query_url(query_id),
            params={"waitTimeMs": wait_ms},
            headers=self._headers(),
            bearer=self.tokens.bearer,
            timeout=self.settings.read_timeout + wait_ms / 1000,
            what=f"the status of query {query_id}",
            query_id=query_id,
        )
        return self._status_of(body)

    def cancel(self, query_id: str) -> None:
        try:
            self.http.call(
                "DELETE",
                self._query_url(query_id),
                headers=self._headers(),
                bearer=self.tokens.bearer,
                expect="none",
                what=f"cancelling query {query_id}",
            )
        except OperationalError as exc:
            if exc.status != 404:  # already finished and freed: nothing to cancel
                raise

    def deadline(self) -> Deadline | None:
        return Deadline.after(self.settings.query_timeout, "query_timeout")

    def _wait(self, query_id: str, status: Status, control: QueryControl, deadline: Deadline | None) -> Status:
        control.query_id = query_id
        return wait_until_done(
            status,
            is_finished,
            lambda wait_ms: self.status(query_id, wait_ms),
            lambda: self.cancel(query_id),
            deadline,
            control.stop,
            query_id,
            wire.MAX_WAIT_MS,
        )
