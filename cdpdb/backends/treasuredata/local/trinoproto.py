"""The Trino client protocol as the local Treasure Data serves it (the server side only: the
client side is the real ``trino`` package). Facts of Trino's protocol, not of TD: the statement
paths, the headers, the JSON of a query's answers (``id``, ``infoUri``, ``nextUri``, ``columns``
with type signatures, ``data``, ``stats.state``, ``error``), the value encodings, and the
standard error names and codes (Trino's ``StandardErrorCode``).

A query's answers are built from a finished Arrow table: pages of ``page_rows`` rows, each
addressed by a token in its ``nextUri``, so a retried GET (after a 503) gets the same page again.
"""

from __future__ import annotations

import math
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.local.results import CANCELLED, FAILED, FINISHED, QueryResult
from cdpdb.local.sqlengine import EngineError

# -- Paths and headers ------------------------------------------------------------------------------
STATEMENT = "/v1/statement"
EXECUTING = "/v1/statement/executing/{query_id}/{slug}/{token}"
INFO = "/ui/query.html?{query_id}"
HEADER_USER = "X-Trino-User"
HEADER_CATALOG = "X-Trino-Catalog"
HEADER_SCHEMA = "X-Trino-Schema"

# -- Query states (stats.state) ----------------------------------------------------------------------
QUEUED, RUNNING, FINISHED_STATE, FAILED_STATE = "QUEUED", "RUNNING", "FINISHED", "FAILED"

# -- Errors: Trino's standard names → (code, type) ----------------------------------------------------
USER_ERROR, INTERNAL_ERROR, EXTERNAL = "USER_ERROR", "INTERNAL_ERROR", "EXTERNAL"
ERRORS: dict[str, tuple[int, str]] = {
    "GENERIC_USER_ERROR": (0, USER_ERROR),
    "SYNTAX_ERROR": (1, USER_ERROR),
    "USER_CANCELED": (3, USER_ERROR),
    "PERMISSION_DENIED": (4, USER_ERROR),
    "FUNCTION_NOT_FOUND": (6, USER_ERROR),
    "INVALID_FUNCTION_ARGUMENT": (7, USER_ERROR),
    "DIVISION_BY_ZERO": (8, USER_ERROR),
    "INVALID_CAST_ARGUMENT": (9, USER_ERROR),
    "NUMERIC_VALUE_OUT_OF_RANGE": (19, USER_ERROR),
    "NOT_SUPPORTED": (13, USER_ERROR),
    "CATALOG_NOT_FOUND": (44, USER_ERROR),
    "SCHEMA_NOT_FOUND": (45, USER_ERROR),
    "TABLE_NOT_FOUND": (46, USER_ERROR),
    "COLUMN_NOT_FOUND": (47, USER_ERROR),
    "GENERIC_INTERNAL_ERROR": (65536, INTERNAL_ERROR),
}
#: The engine's SQLSTATE (DuckDB's exception class, see cdpdb.local.duckengine) → Trino's error name.
BY_SQLSTATE = {
    "42601": "SYNTAX_ERROR",
    "42P01": "FUNCTION_NOT_FOUND",  # DuckDB's catalog errors: tables are checked before (trinosql.py)
    "42703": "COLUMN_NOT_FOUND",
    "42883": "FUNCTION_NOT_FOUND",
    "3F000": "SCHEMA_NOT_FOUND",
    "22012": "DIVISION_BY_ZERO",
    "22018": "INVALID_CAST_ARGUMENT",
    "22003": "NUMERIC_VALUE_OUT_OF_RANGE",
    "22023": "INVALID_FUNCTION_ARGUMENT",
    "42501": "PERMISSION_DENIED",
    "57014": "USER_CANCELED",
    "0A000": "NOT_SUPPORTED",
}


@dataclass(frozen=True)
class TrinoError(Exception):
    """A failed statement, in Trino's terms (raised before the engine runs or mapped from it)."""

    name: str
    message: str
    line: int | None = None
    column: int | None = None

    def to_json(self) -> dict[str, Any]:
        code, kind = ERRORS[self.name]
        body: dict[str, Any] = {
            "message": self.message,
            "errorCode": code,
            "errorName": self.name,
            "errorType": kind,
            "failureInfo": {
                "type": "io.trino.spi.TrinoException",
                "message": self.message,
                "suppressed": [],
                "stack": [],
            },
        }
        if self.line is not None and self.column is not None:
            body["errorLocation"] = {"lineNumber": self.line, "columnNumber": self.column}
        return body


def from_engine(error: EngineError) -> TrinoError:
    name = BY_SQLSTATE.get(error.sqlstate)
    if name is None:
        name = "GENERIC_USER_ERROR" if error.sqlstate[:2] in ("22", "42") else "GENERIC_INTERNAL_ERROR"
    return TrinoError(name, error.message)


# -- Types: Arrow (what the engine answers) → Trino's type and type signature ---------------------------
def _signature(raw: str, *arguments: dict[str, Any]) -> dict[str, Any]:
    return {"rawType": raw, "arguments": list(arguments)}


def _long(value: int) -> dict[str, Any]:
    return {"kind": "LONG", "value": value}


_SIMPLE = {
    pa.bool_(): "boolean",
    pa.int8(): "tinyint",
    pa.int16(): "smallint",
    pa.int32(): "integer",
    pa.int64(): "bigint",
    pa.float32(): "real",
    pa.float64(): "double",
    pa.date32(): "date",
}
VARCHAR_LENGTH = 2_147_483_647  # an unbounded varchar's signature argument
TIME_PRECISION = 3  # milliseconds, as TD's /customers gives times (UNCONFIRMED for TD's Trino tables)


def trino_type(arrow: pa.DataType) -> tuple[str, dict[str, Any]]:
    """``(type, typeSignature)`` of a column; anything without a Trino counterpart is varchar text."""
    if arrow in _SIMPLE:
        name = _SIMPLE[arrow]
        return name, _signature(name)
    if pa.types.is_timestamp(arrow):
        raw = "timestamp with time zone" if arrow.tz else "timestamp"
        suffix = " with time zone" if arrow.tz else ""
        return f"timestamp({TIME_PRECISION}){suffix}", _signature(raw, _long(TIME_PRECISION))
    if pa.types.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})", _signature(
            "decimal", _long(arrow.precision), _long(arrow.scale)
        )
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow):
        name, signature = trino_type(arrow.value_type)
        return f"array({name})", _signature("array", {"kind": "TYPE", "value": signature})
    return "varchar", _signature("varchar", _long(VARCHAR_LENGTH))


def columns_of(schema: pa.Schema) -> list[dict[str, Any]]:
    out = []
    for f in schema:
        name, signature = trino_type(f.type)
        out.append({"name": f.name, "type": name, "typeSignature": signature})
    return out


# -- Values: an Arrow slice → the rows of ``data`` ---------------------------------------------------------
def _values(column: pa.ChunkedArray | pa.Array) -> list[Any]:
    """One column as JSON values the way Trino writes them: times as ``YYYY-MM-DD HH:MM:SS.fff``
    (``UTC`` appended for an instant), dates ISO, decimals as text, doubles ``NaN``/``Infinity``
    as text; converted in Arrow, not value by value."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        text = pc.strftime(pc.cast(column, pa.timestamp("ms", kind.tz), safe=False), format="%Y-%m-%d %H:%M:%S")
        if kind.tz:
            text = pc.binary_join_element_wise(text, pa.scalar(" UTC"), "")
        return text.to_pylist()  # type: ignore[no-any-return]
    if pa.types.is_date(kind) or pa.types.is_decimal(kind):
        return pc.cast(column, pa.string()).to_pylist()  # type: ignore[no-any-return]
    if pa.types.is_floating(kind):
        values = column.to_pylist()
        if pc.all(pc.or_kleene(pc.is_finite(column), pc.is_null(column))).as_py() is False:
            return [_float(v) for v in values]
        return values  # type: ignore[no-any-return]
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return column.to_pylist()  # type: ignore[no-any-return]
    if kind in _SIMPLE or pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column.to_pylist()  # type: ignore[no-any-return]
    return pc.cast(column, pa.string()).to_pylist()  # type: ignore[no-any-return]


def _float(value: float | None) -> float | str | None:
    if value is None or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def rows_of(table: pa.Table) -> list[list[Any]]:
    columns = [_values(c) for c in table.columns]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


# -- A statement and its pages ------------------------------------------------------------------------------
@dataclass
class TrinoQuery(QueryResult):
    """A statement on the kit's runner; ``slug`` is the secret part of its ``nextUri`` (as in
    Trino), ``failure`` an error found before the engine ran it."""

    slug: str = field(default_factory=lambda: secrets.token_hex(8))
    page_rows: int = 10_000
    failure: TrinoError | None = None
    cancelled: bool = False

    def error_of(self) -> TrinoError | None:
        if self.failure is not None:
            return self.failure
        if self.cancelled or self.state == CANCELLED:
            return TrinoError("USER_CANCELED", "Query was canceled")
        if self.state == FAILED and self.error is not None:
            return from_engine(self.error)
        return None

    def answer(self, base: str, token: int) -> dict[str, Any]:
        """The JSON answer to the request for page ``token`` (1 = the first rows)."""
        body: dict[str, Any] = {"id": self.query_id, "infoUri": base + INFO.format(query_id=self.query_id)}
        error = self.error_of()
        if error is not None:
            return {**body, "stats": _stats(FAILED_STATE, self), "error": error.to_json()}
        if not self.done.is_set() or self.state != FINISHED or self.table is None:
            state = QUEUED if token == 0 else RUNNING
            return {**body, "nextUri": self._next(base, max(token, 1)), "stats": _stats(state, self)}
        table = self.table
        pages = max(1, math.ceil(table.num_rows / self.page_rows))
        body["columns"] = columns_of(table.schema)
        if token == 0:  # the POST: columns known, rows from the next request
            return {**body, "nextUri": self._next(base, 1), "stats": _stats(RUNNING, self)}
        if token <= pages:
            start = (token - 1) * self.page_rows
            rows = rows_of(table.slice(start, self.page_rows))
            if rows:
                body["data"] = rows
        if token < pages:
            return {**body, "nextUri": self._next(base, token + 1), "stats": _stats(RUNNING, self)}
        return {**body, "stats": _stats(FINISHED_STATE, self)}

    def _next(self, base: str, token: int) -> str:
        return base + EXECUTING.format(query_id=self.query_id, slug=self.slug, token=token)


def _stats(state: str, query: TrinoQuery) -> dict[str, Any]:
    rows = query.row_count if query.done.is_set() else 0
    return {
        "state": state,
        "queued": state == QUEUED,
        "scheduled": state != QUEUED,
        "nodes": 1,
        "totalSplits": 1,
        "queuedSplits": 0,
        "runningSplits": 0 if query.done.is_set() else 1,
        "completedSplits": 1 if query.done.is_set() else 0,
        "processedRows": rows,
        "processedBytes": query.table.nbytes if query.done.is_set() and query.table is not None else 0,
        "cpuTimeMillis": 0,
        "wallTimeMillis": 0,
        "queuedTimeMillis": 0,
        "elapsedTimeMillis": 0,
    }


def new_query_id() -> str:
    """Trino's shape: ``YYYYMMDD_HHMMSS_NNNNN_xxxxx``; the local server's is unique, not dated."""
    return "20251231_000000_" + uuid.uuid4().hex[:5] + "_" + uuid.uuid4().hex[:5]
