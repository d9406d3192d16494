"""JSON pages → Arrow by a backend's type table; Arrow → Python rows; pages joined into one table."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.core.collector import collector_paused
from cdpdb.core.results.jsontext import TextRows
from cdpdb.core.results.schema import Column, TypeTable
from cdpdb.exceptions import DataError

_ZONE = re.compile(r"(Z|[+-]\d\d(:?\d\d)?)$")  # text ending with a UTC offset
RANGE_HINT = (
    " (Python's dates and datetimes hold years 1 to 9999, in UTC for timestamps with a time zone; "
    "select such a value as text, e.g. CAST(x AS VARCHAR))"
)


def columns_from_arrow(schema: pa.Schema, types: TypeTable) -> list[Column]:
    out = []
    for field in schema:
        precision = field.type.precision if pa.types.is_decimal(field.type) else None
        scale = field.type.scale if pa.types.is_decimal(field.type) else None
        out.append(Column(field.name, types.name_of(field.type), precision, scale, field.nullable))
    return out


def _text(values: list[Any] | pa.Array) -> pa.Array:
    """Values as an Arrow string array; numbers and booleans become their JSON text."""
    if isinstance(values, pa.Array):
        return values  # already the values' JSON text (jsontext.TextRows)
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if v is None else _json_text(v) for v in values], pa.string())


def _json_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _decimal_scale(text: pa.Array) -> int:
    """The scale that holds every value of a V1/V2 DECIMAL column, whose metadata gives none:
    digits after the point, plus the exponent's for text such as ``1E-7``."""
    if not pc.any(pc.match_substring(text, "e", ignore_case=True)).as_py():  # plain text: no regex (about 1.8x faster)
        point = pc.find_substring(text, ".")  # -1 where there is none
        fractions = pc.if_else(pc.less(point, 0), 0, pc.subtract(pc.subtract(pc.binary_length(text), point), 1))
        return int(pc.max(fractions).as_py() or 0)
    fractions = pc.utf8_length(pc.replace_substring_regex(text, r"^[^.eE]*\.?|[eE].*$", ""))
    largest = int(pc.max(fractions).as_py() or 0)
    scientific = pc.filter(text, pc.match_substring_regex(text, "[eE]")).to_pylist()
    return max([largest, *(max(-int(Decimal(v).as_tuple().exponent), 0) for v in scientific)])


def _utc_instants(text: pa.Array) -> pa.Array:
    """Instants from text with an offset, or without one (then UTC: the form some APIs use for
    UTC times, e.g. ``2025-07-26 15:21:13.000``). A mix of both is not guessed at: each cast
    refuses the other form. The first value's form picks the cast tried first, because a failing
    cast costs as much as a whole column's parse."""
    utc = pa.timestamp("us", tz="UTC")

    def zoned() -> pa.Array:
        return pc.cast(text, utc)

    def unzoned() -> pa.Array:
        return pc.cast(text, pa.timestamp("us")).cast(utc)  # the wall times, read as UTC

    present = text.drop_null()
    first, second = (zoned, unzoned) if len(present) and _ZONE.search(present[0].as_py()) else (unzoned, zoned)
    try:
        return first()
    except pa.ArrowInvalid as exc:
        try:
            return second()
        except pa.ArrowInvalid:
            raise exc from None


def _times(text: pa.Array) -> pa.Array:
    """TIME from its JSON text (``12:34:56.789012``, fraction optional): Arrow has no cast from
    text to time, so the text is read as a time of 1970-01-01 and its microseconds kept."""
    stamps = pc.cast(pc.binary_join_element_wise("1970-01-01T", text, ""), pa.timestamp("us"))
    return pc.cast(pc.cast(stamps, pa.int64()), pa.time64("us"))


def decode_column(values: list[Any] | pa.Array, column: Column, types: TypeTable) -> pa.Array:
    """One JSON column → Arrow, by the backend's type table. Strings, numbers or booleans are all
    accepted: as Python values, or as an Arrow array of their JSON text (:mod:`.jsontext`)."""
    target = types.arrow(column)
    try:
        if target is None:  # a decimal whose scale the values give
            text = _text(values)
            target = pa.decimal128(38, _decimal_scale(text))
            return pc.cast(text, target)
        if pa.types.is_integer(target) or pa.types.is_floating(target) or pa.types.is_boolean(target):
            if isinstance(values, pa.Array):
                return pc.cast(values, target)
            try:
                return pa.array(values, target)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                return pc.cast(_text(values), target)
        if pa.types.is_decimal(target):
            return pc.cast(_text(values), target)
        if pa.types.is_timestamp(target):
            text = pc.replace_substring(_text(values), " UTC", "+00:00")  # "2024-03-22 05:47:10.000 UTC"
            if target.tz is not None:
                return pc.cast(_utc_instants(text), target)
            return pc.cast(text, target)
        if pa.types.is_time(target):
            return _times(_text(values))
        if pa.types.is_date(target):
            return pc.cast(_text(values), target)
        return _text(values)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, InvalidOperation) as exc:
        temporal = target is not None and (pa.types.is_timestamp(target) or pa.types.is_date(target))
        raise DataError(
            f"column {column.name!r} ({column.type_name}): a value could not be read as {target}: {exc}"
            + (RANGE_HINT if temporal else "")
        ) from None


def decode_json_page(rows: list[list[Any]] | TextRows, columns: list[Column], types: TypeTable) -> pa.Table:
    """A page of JSON rows → Arrow: Python lists of values, or the columns of text that
    :func:`.jsontext.loads` cut out of the answer without a Python object per value."""
    if not rows:
        return empty_table(columns, types)
    width = len(columns)
    if isinstance(rows, TextRows):
        if len(rows.columns) != width:
            raise DataError(f"a row of the answer does not have the {width} columns its metadata announces")
        arrays = [decode_column(values, column, types) for values, column in zip(rows.columns, columns, strict=True)]
        return pa.Table.from_arrays(arrays, names=[c.name for c in columns])
    with collector_paused():  # the transpose makes a tuple per column of every row's values
        if any(len(row) != width for row in rows):
            raise DataError(f"a row of the answer does not have the {width} columns its metadata announces")
        arrays = [
            decode_column(list(values), column, types)
            for values, column in zip(zip(*rows, strict=True), columns, strict=True)
        ]
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def empty_table(columns: list[Column], types: TypeTable) -> pa.Table:
    return pa.table({c.name: pa.array([], types.arrow(c) or pa.decimal128(38, 0)) for c in columns})
