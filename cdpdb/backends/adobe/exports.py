"""Profile export jobs as asynchronous queries: ``cursor.execute_async("SELECT * FROM
export_profiles('<dataset id>'[, '<fields>'[, '<merge policy id>']])")`` starts one (``POST
/export/jobs``; the dataset must exist on the ``_xdm.context.profile__union`` schema) and returns
its query id; ``connection.query_status(id)`` is the job as the API shows it; ``cursor.get_results(id)``
waits until it SUCCEEDED (or raises when it FAILED) and gives the job's row. The profiles land in
the dataset, not in the cursor: Adobe's export writes a dataset (read it through Query Service).
"""

from __future__ import annotations

import time
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.client import PlatformApi
from cdpdb.core.jobs import QueryControl, Status, wait_until_done
from cdpdb.core.sqlapi.pushdown import NotALiteral, literal
from cdpdb.exceptions import NotSupportedError, OperationalError, ProgrammingError

FUNCTION = "export_profiles"
DONE = ("SUCCEEDED", "FAILED")
USAGE = (
    f"execute_async() starts a profile export: SELECT * FROM {FUNCTION}('<dataset id>'[, '<comma list of "
    "XDM fields>'[, '<merge policy id>']]) (optionally <sandbox>.{FUNCTION})"
)


def export_call(sql: str, default_sandbox: str) -> tuple[str, list[Any]] | None:
    """(sandbox, arguments) when ``sql`` is ``SELECT * FROM [sandbox.]export_profiles(...)``."""
    try:
        statement = sqlglot.parse_one(sql, read="duckdb")
    except ParseError:
        return None
    source = statement.args.get("from_") or statement.args.get("from") if isinstance(statement, exp.Select) else None
    table = source.this if source is not None else None
    call = table.this if isinstance(table, exp.Table) else None
    if not isinstance(table, exp.Table) or not isinstance(call, exp.Anonymous) or call.name.lower() != FUNCTION:
        return None
    try:
        arguments = [literal(a) for a in call.expressions]
    except NotALiteral:
        raise NotSupportedError(f"{FUNCTION}() takes literal arguments: {USAGE}", sqlstate="0A000") from None
    return (table.db or default_sandbox), arguments


class Exports:
    def __init__(self, api: PlatformApi, poll_seconds: float = 0.5) -> None:
        self.api, self.poll_seconds = api, poll_seconds

    def start(self, sandbox: str, arguments: list[Any]) -> str:
        if not 1 <= len(arguments) <= 3 or not all(isinstance(a, str) or a is None for a in arguments):
            raise ProgrammingError(f"{FUNCTION}() takes one to three text arguments: {USAGE}", sqlstate="42883")
        dataset, fields, policy = [*arguments, None, None][:3]
        body: dict[str, Any] = {
            "destination": {"datasetId": dataset, "segmentPerBatch": False},
            "schema": {"name": wire.PROFILE_SCHEMA},
        }
        if fields:
            body["fields"] = fields
        if policy:
            body["mergePolicy"] = {"id": policy}
        job = self.api.post(self.api.url(wire.EXPORT_JOBS), body, sandbox=sandbox, what="starting a profile export")
        return f"{sandbox}:{job['id']}"

    @staticmethod
    def _parts(query_id: str) -> tuple[str, str]:
        sandbox, _, job = query_id.partition(":")
        if not sandbox or not job:
            raise ProgrammingError(f"{query_id!r} is not an Adobe export job id (<sandbox>:<id>)", sqlstate="42704")
        return sandbox, job

    def status(self, query_id: str) -> Status:
        sandbox, job = self._parts(query_id)
        found: Status = self.api.get(
            self.api.url(wire.EXPORT_JOB, id=job), sandbox=sandbox, what=f"reading export job {job}"
        )
        return found

    def wait(self, query_id: str, control: QueryControl) -> Status:
        def poll(wait_ms: int) -> Status:
            time.sleep(min(wait_ms / 1000, self.poll_seconds))
            return self.status(query_id)

        def cancel() -> None:  # the Profile API cannot cancel an export job
            return None

        done = wait_until_done(
            self.status(query_id),
            lambda s: s.get("status") in DONE,
            poll,
            cancel,
            None,
            control.stop,
            query_id,
            int(self.poll_seconds * 1000),
        )
        if done.get("status") == "FAILED":
            raise OperationalError(
                f"profile export job {query_id} FAILED: {done.get('errors') or 'no reason given'}",
                query_id=query_id,
                reason="export_failed",
            )
        return done

    def cancel(self, query_id: str) -> None:
        raise NotSupportedError("the Profile API cannot cancel an export job once started")
