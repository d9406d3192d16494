"""The page-stream contract every Query API generation implements."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..exceptions import NotSupportedError


@dataclass
class QueryControl:
    """What a query being run shares with ``cancel()`` from another thread: the event that stops
    it and, as soon as the server has given one, its id (so the server can be told too)."""

    stop: threading.Event = field(default_factory=threading.Event)
    query_id: str | None = None
    edits: list[tuple[int, int, int]] = field(default_factory=list)  # how binding rewrote the SQL


@dataclass(frozen=True)
class Column:
    name: str
    type_name: str  # as the server spelled it: DECIMAL (V1/V2), Numeric (V3/Connect)
    precision: int | None = None
    scale: int | None = None
    nullable: bool | None = None


class Result:
    """A query's result: columns, the total when known, and its pages as Arrow tables."""

    query_id: str | None = None
    columns: list[Column] | None = None
    row_count: int | None = None

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        """The pages in order; ``stop`` (set from any thread) ends the stream with ``fetch.Stopped``."""
        raise NotImplementedError


class Protocol:
    name = "?"
    supports_async = False

    def __init__(self, settings, http, tokens) -> None:
        self.settings, self.http, self.tokens = settings, http, tokens

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        """Run ``sql`` until its result can be read; raise ``fetch.Stopped`` once ``control.stop`` is set."""
        raise NotImplementedError

    def submit(self, sql: str, parameters: Any) -> str:
        raise NotSupportedError(f"asynchronous queries need api='v3' or api='connect', not {self.name}")

    def results(self, query_id: str, control: QueryControl) -> Result:
        raise NotSupportedError(f"fetching results by query id needs api='v3' or api='connect', not {self.name}")

    def status(self, query_id: str, wait_ms: int = 0) -> dict:
        raise NotSupportedError(f"query status needs api='v3' or api='connect', not {self.name}")

    def url(self, path: str) -> str:
        return self.tokens.base_url() + path

    def write(self, sql: str, parameters: Any) -> int:
        """DDL/DML on a local Data Cloud's admin path (writable mode, for test fixtures only)."""
        body = {"sql": sql, "parameters": _jsonable(parameters), "dataspace": self.settings.dataspace}
        answer = self.http.call(
            "POST",
            f"{self.settings.login_url}/__cdpdb/execute",
            json=body,
            headers={"X-Cdpdb-Admin": self.settings.admin_key},
            what="the write (admin path)",
        )
        return int(answer.get("rowcount", -1))


def _jsonable(parameters: Any) -> Any:
    import datetime as dt
    import math
    from decimal import Decimal

    from ..params import float_text

    def value(v: Any) -> Any:
        if isinstance(v, (Decimal, dt.date, dt.time)):
            return str(v) if isinstance(v, Decimal) else v.isoformat()
        if isinstance(v, float) and not math.isfinite(v):
            return float_text(v)  # JSON has no Infinity or NaN; the server casts the text
        return v

    if parameters is None:
        return None
    if isinstance(parameters, dict):
        return {k: value(v) for k, v in parameters.items()}
    return [value(v) for v in parameters]
