"""Rows of a call-type table → Data Pipelines calls as JSON, every row checked before any is sent.

A row becomes one call: typed columns go to the top-level fields (a NULL there is the same as
leaving the column out), ``traits``/``properties`` (a JSON object's text) and every column the
table does not declare fold into the call's bag (a NULL there is sent as JSON null: Customer.io
clears that attribute; leave the column out to keep it). ``context`` and ``integrations`` are
kept apart: a ``/v1/batch`` request carries them once for all its calls, so the packer starts a
new request where they change.

Each call gets a ``messageId``: the row's own ``message_id`` if given, else one made of a random
id per statement and the row's number. A retried request carries the same ids, so the service
(and the local one) drops what it already has; a statement run again gets new ids, so a
deliberate repeat is not mistaken for a retry.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.backends.customerio import wire
from cdpdb.exceptions import DataError, WriteReport

# Column → the call's top-level field.
TOP_LEVEL = {
    "user_id": wire.USER_ID,
    "anonymous_id": wire.ANONYMOUS_ID,
    "event": wire.EVENT,
    "name": wire.NAME,
    "group_id": wire.GROUP_ID,
    "previous_id": wire.PREVIOUS_ID,
    "timestamp": wire.TIMESTAMP,
    "message_id": wire.MESSAGE_ID,
}
JSON_COLUMNS = ("context", "integrations", "traits", "properties")
SHOWN_PROBLEMS = 5  # rows named in a DataError's message (the WriteReport lists them all)
CHUNK_ROWS = 65_536  # rows turned into Python values at a time


@dataclass
class Calls:
    """A statement's calls: each row's JSON (without context/integrations) one after another in
    one buffer, each followed by a comma (so a request's calls are one slice of it, and a million
    rows are a million small JSON texts, not a million Python objects), and, per row, the JSON of
    its context and integrations (None: none), which must be equal within a request."""

    kind: str
    data: bytearray = field(default_factory=bytearray)
    ends: array[int] = field(default_factory=lambda: array("q"))  # end of row i's JSON and comma
    groups: list[bytes | None] = field(default_factory=list)

    @classmethod
    def of(cls, kind: str, bodies: list[bytes], groups: list[bytes | None]) -> Calls:
        calls = cls(kind)
        for body, group in zip(bodies, groups, strict=True):
            calls.append(body, group)
        return calls

    def append(self, body: bytes, group: bytes | None) -> None:
        self.data += body
        self.data += b","
        self.ends.append(len(self.data))
        self.groups.append(group)

    def __len__(self) -> int:
        return len(self.ends)

    def size(self, row: int) -> int:
        """Bytes of row ``row``'s JSON."""
        return self.ends[row] - (self.ends[row - 1] if row else 0) - 1

    def joined(self, span: range) -> bytes:
        """The JSON of the rows ``span``, separated by commas."""
        start = self.ends[span.start - 1] if span.start else 0
        return bytes(self.data[start : self.ends[span.stop - 1] - 1])

    def body(self, row: int) -> bytes:
        return self.joined(range(row, row + 1))


class _Bad(Exception):
    """Why one row cannot be sent."""


def build(kind: str, rows: pa.Table, statement_id: str | None = None) -> Calls:
    """Every row as a call, or DataError naming each row that cannot be sent (and nothing sent)."""
    statement_id = statement_id or secrets.token_hex(8)
    _check_numbers(kind, rows)
    bag_name = wire.BAG.get(kind)
    extras = [c for c in rows.column_names if c not in TOP_LEVEL and c not in JSON_COLUMNS]
    if extras and bag_name is None:
        raise DataError(f"{kind} calls carry no traits or properties: remove the column(s) {', '.join(extras)}")
    out = Calls(kind)
    problems: list[tuple[int, str]] = []
    for offset in range(0, rows.num_rows, CHUNK_ROWS):  # Python values for a chunk at a time only
        chunk = rows.slice(offset, CHUNK_ROWS)
        columns = {name: _python(chunk.column(name)) for name in chunk.column_names}
        make = _maker(kind, columns, extras, bag_name, f"cdpdb-{statement_id}-", offset)
        for row in range(chunk.num_rows):
            try:
                body, group = make(row)
            except _Bad as exc:
                problems.append((offset + row, str(exc)))
                continue
            if len(body) > wire.MAX_CALL_BYTES:
                why = f"its call is {len(body):,} bytes, over the API's {wire.MAX_CALL_BYTES:,} per call"
                problems.append((offset + row, why))
                continue
            if not problems:
                out.append(body, group)
    if problems:
        raise _refused(kind, rows.num_rows, problems)
    return out


def _python(column: pa.ChunkedArray) -> list[Any]:
    """A column's values for JSON; instants as RFC 3339 text made by Arrow (much faster than a
    datetime object per row): UTC with a ``Z``, microseconds kept."""
    if pa.types.is_timestamp(column.type):
        if column.type.tz is None:
            column = column.cast(pa.timestamp(column.type.unit, tz="UTC"))  # no zone: read as UTC
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%SZ").to_pylist()
    return column.to_pylist()


def _refused(kind: str, total: int, problems: list[tuple[int, str]]) -> DataError:
    shown = "; ".join(f"row {row}: {why}" for row, why in problems[:SHOWN_PROBLEMS])
    more = f" (and {len(problems) - SHOWN_PROBLEMS} more rows)" if len(problems) > SHOWN_PROBLEMS else ""
    report = WriteReport(total, (), tuple((range(row, row + 1), why) for row, why in problems))
    return DataError(
        f"{len(problems)} of {total} {kind} rows cannot be sent, so none was: {shown}{more}",
        sqlstate="22023",
        reason="row_refused",
        write=report,
    )


def _check_numbers(kind: str, rows: pa.Table) -> None:
    """NaN and infinity have no JSON form (JSON encoders write them as null: a silent change)."""
    problems = []
    for name in rows.column_names:
        column = rows.column(name)
        if pa.types.is_floating(column.type):
            bad = pc.fill_null(pc.or_(pc.is_nan(column), pc.is_inf(column)), False)
            if pc.any(bad).as_py():
                row = pc.index(bad, True).as_py()
                problems.append((row, f"column {name!r} is {column[row].as_py()}, which JSON cannot carry"))
    if problems:
        raise _refused(kind, rows.num_rows, sorted(problems))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        number = float(value)
        if math.isfinite(number) and Decimal(repr(number)) == value:
            return number
        raise _Bad(f"the number {value} has no exact JSON form; send it as text")
    if isinstance(value, (bytes, bytearray)):
        raise _Bad("binary values have no JSON form; send them as text (base64, hex)")
    if isinstance(value, dt.timedelta):
        raise _Bad("an interval has no JSON form; send it as a number of seconds")
    raise TypeError


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=_json_default, option=orjson.OPT_NAIVE_UTC)
    except orjson.JSONEncodeError as exc:
        cause = exc.__cause__
        if isinstance(cause, _Bad):
            raise cause from None
        raise _Bad(f"a value has no JSON form ({exc})") from None


def _object(name: str, text: Any) -> dict[str, Any] | None:
    if text is None:
        return None
    if isinstance(text, dict):
        return text
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise _Bad(f"{name} is not JSON ({exc})") from None
    if not isinstance(value, dict):
        raise _Bad(f"{name} must be a JSON object, not {type(value).__name__}")
    return value


def _maker(
    kind: str, columns: dict[str, list[Any]], extras: list[str], bag_name: str | None, prefix: str, offset: int
) -> Callable[[int], tuple[bytes, bytes | None]]:
    top = [(TOP_LEVEL[c], columns[c]) for c in columns if c in TOP_LEVEL and c != "message_id"]
    ids = columns.get("message_id")
    bag_json = columns.get(bag_name) if bag_name else None
    extra = [(c, columns[c]) for c in extras]
    context, integrations = columns.get("context"), columns.get("integrations")
    required = wire.REQUIRED[kind]

    def make(row: int) -> tuple[bytes, bytes | None]:
        call: dict[str, Any] = {wire.TYPE: kind}
        for key, values in top:
            value = values[row]
            if value is not None:
                call[key] = value
        given = ids[row] if ids is not None else None
        call[wire.MESSAGE_ID] = str(given) if given is not None else prefix + str(offset + row)
        if bag_name is not None:
            bag = _object(bag_name, bag_json[row]) if bag_json is not None else None
            if extra:
                bag = dict(bag or {})
                for name, values in extra:
                    if name in bag:
                        raise _Bad(f"{name!r} is both a column and a key of {bag_name}; give it once")
                    bag[name] = values[row]
            if bag is not None:
                call[bag_name] = bag
        _check_required(kind, call, required)
        group = None
        if context is not None or integrations is not None:
            shared = {
                wire.CONTEXT: _object("context", context[row]) if context is not None else None,
                wire.INTEGRATIONS: _object("integrations", integrations[row]) if integrations is not None else None,
            }
            shared = {k: v for k, v in shared.items() if v is not None}
            group = _dumps(shared) if shared else None
        return _dumps(call), group

    return make


def _check_required(kind: str, call: dict[str, Any], required: tuple[str, ...]) -> None:
    if kind == "alias":
        if not call.get(wire.USER_ID):
            raise _Bad("an alias call needs user_id (the new id)")
    elif not any(call.get(f) for f in wire.IDENTITY_FIELDS):
        email = (call.get(wire.TRAITS) or {}).get("email") if kind == "identify" else None
        if not email:
            extra = " (or an email trait)" if kind == "identify" else ""
            raise _Bad(f"a {kind} call needs user_id or anonymous_id{extra}")
    for name in required:
        value = call.get(name)
        if value is None or value == "":
            column = next(c for c, f in TOP_LEVEL.items() if f == name)
            raise _Bad(f"a {kind} call needs {column}")
