"""Asynchronous segment queries: a rule's profiles computed on the engine by the kit's runner,
kept by the kit's result store (owned by the key's user, expiring), read page by page.

A query runs one statement: the rule's rows capped at ``pageSize × maxPage``, each row carrying
the uncapped count (a window), so status and pages come from one run."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from cdpdb.backends.treasuredata import wire
from cdpdb.local.results import CANCELLED, FAILED, FINISHED, QueryResult

COUNT_COLUMN = "cdpdb_count"
_STATUS = {FINISHED: wire.QUERY_SUCCESS, FAILED: wire.QUERY_ERROR, CANCELLED: wire.QUERY_KILLED}


@dataclass
class SegmentQuery(QueryResult):
    page_size: int = wire.DEFAULT_PAGE_SIZE
    jobid: str = ""
    count_jobid: str = ""
    count: int | None = None
    names: list[str] = field(default_factory=list)
    _settled: bool = False

    def settle(self) -> None:
        """Once done: the count from its column, and the rows without it (idempotent)."""
        with self._lock:
            if self._settled or not self.done.is_set():
                return
            if self.state == FINISHED and self.table is not None:
                table = self.table
                self.count = int(table.column(COUNT_COLUMN)[0].as_py()) if table.num_rows else 0
                self.table = table.drop_columns([COUNT_COLUMN])
                self.names = list(self.table.column_names)
            self._settled = True

    @property
    def status(self) -> str:
        return _STATUS.get(self.state, wire.QUERY_RUNNING) if self.done.is_set() else wire.QUERY_RUNNING

    @property
    def pages(self) -> int | None:
        if self.status != wire.QUERY_SUCCESS:
            return None
        return math.ceil(self.row_count / self.page_size)

    def to_json(self) -> dict[str, Any]:
        self.settle()
        return {
            "id": self.query_id,
            "queryId": self.query_id,
            "status": self.status,
            "count": self.count if self.status == wire.QUERY_SUCCESS else None,
            "maxPage": self.pages,
            "error": self.error.message if self.error is not None and self.status == wire.QUERY_ERROR else None,
            "jobid": self.jobid,
            "countJobid": self.count_jobid,
            "customerGroupCount": None,
        }

    def page(self, number: int) -> dict[str, Any]:
        """``/customers?page=number`` (from 1): rows, then ``end``; ``pending`` while running."""
        self.settle()
        body: dict[str, Any] = {"queryId": self.query_id, "names": None, "rows": None, "error": None}
        status = self.status
        if status == wire.QUERY_RUNNING:
            return {**body, "type": wire.PAGE_PENDING}
        if status == wire.QUERY_KILLED:
            return {**body, "type": wire.PAGE_KILLED}
        if status == wire.QUERY_ERROR:
            return {**body, "type": wire.PAGE_ERROR, "error": self.error.message if self.error else "error"}
        assert self.table is not None
        start = (number - 1) * self.page_size
        if start >= self.row_count:
            return {**body, "names": self.names, "rows": [], "type": wire.PAGE_END}
        rows = rows_of(self.table.slice(start, self.page_size))
        return {**body, "names": self.names, "rows": rows, "type": wire.PAGE_ROWS}


def new_query_id() -> str:
    return str(uuid.uuid4())


def rows_of(table: pa.Table) -> list[list[Any]]:
    """Rows as JSON arrays: times as ``YYYY-MM-DD HH:MM:SS.fff`` UTC, dates as ``YYYY-MM-DD``,
    arrays as arrays (UNCONFIRMED: TD's /customers documents strings and numbers only)."""
    columns = [[_json(v) for v in column.to_pylist()] for column in table.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
