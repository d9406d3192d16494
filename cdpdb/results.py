"""Pages → Arrow record batches → Python rows; page prefetching with bounded memory."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import pyarrow as pa
import pyarrow.compute as pc

from . import types
from ._arrow import normalise_arrow
from .exceptions import DataError
from .protocol.base import Column

_RANGE_HINT = (
    " (Python's dates and datetimes hold years 1 to 9999, in UTC for timestamps with a time zone; "
    "select such a value as text, e.g. CAST(x AS VARCHAR))"
)

__all__ = ["Column", "decode_json_page", "normalise_arrow", "python_rows"]


def columns_from_arrow(schema: pa.Schema) -> list[Column]:
    out = []
    for field in schema:
        kind = types.from_arrow(field.type)
        precision = field.type.precision if pa.types.is_decimal(field.type) else None
        scale = field.type.scale if pa.types.is_decimal(field.type) else None
        out.append(Column(field.name, kind.name, precision, scale, field.nullable))
    return out


def _text(values: list) -> pa.Array:
    """Values as an Arrow string array; numbers and booleans become their JSON text."""
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if v is None else _json_text(v) for v in values], pa.string())


def _json_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _decimal_scale(text: pa.Array) -> int:
    """The scale that holds every value of a V1/V2 DECIMAL column, whose metadata gives none:
    digits after the point, plus the exponent's for text such as ``1E-7``."""
    fractions = pc.utf8_length(pc.replace_substring_regex(text, r"^[^.eE]*\.?|[eE].*$", ""))
    largest = int(pc.max(fractions).as_py() or 0)
    if not pc.any(pc.match_substring_regex(text, "[eE]")).as_py():
        return largest
    scientific = pc.filter(text, pc.match_substring_regex(text, "[eE]")).to_pylist()
    return max([largest, *(max(-Decimal(v).as_tuple().exponent, 0) for v in scientific)])


def _times(text: pa.Array) -> pa.Array:
    """TIME from its JSON text (``12:34:56.789012``, fraction optional): Arrow has no cast from
    text to time, so the text is read as a time of 1970-01-01 and its microseconds kept."""
    stamps = pc.cast(pc.binary_join_element_wise("1970-01-01T", text, ""), pa.timestamp("us"))
    return pc.cast(pc.cast(stamps, pa.int64()), pa.time64("us"))


def decode_column(values: list, column: Column) -> pa.Array:
    """One JSON column → Arrow, by the type table. Strings, numbers or booleans are all accepted."""
    kind = types.lookup(column.type_name)
    target = kind.arrow(column.precision, column.scale)
    try:
        if kind.arrow_kind in ("int64", "int32", "int16", "float64", "float32", "bool"):
            try:
                return pa.array(values, target)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                return pc.cast(_text(values), target)
        if kind.arrow_kind == "decimal":
            text = _text(values)
            if column.precision is None:  # V1/V2 say DECIMAL with no precision or scale
                target = pa.decimal128(38, _decimal_scale(text))
            return pc.cast(text, target)
        if kind.arrow_kind in ("timestamptz", "timestamp"):
            text = _text(values)
            text = pc.replace_substring(text, " UTC", "+00:00")  # "2024-03-22 05:47:10.000 UTC"
            if kind.arrow_kind == "timestamptz":
                return pc.cast(pc.cast(text, pa.timestamp("us", tz="UTC")), target)
            return pc.cast(text, target)
        if kind.arrow_kind == "time":
            return _times(_text(values))
        if kind.arrow_kind == "date":
            return pc.cast(_text(values), target)
        return _text(values)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, InvalidOperation) as exc:
        hint = _RANGE_HINT if kind.arrow_kind in ("timestamptz", "timestamp", "date") else ""
        raise DataError(
            f"column {column.name!r} ({column.type_name}): a value could not be read as {target}: {exc}{hint}"
        ) from None


def decode_json_page(rows: list[list], columns: list[Column]) -> pa.Table:
    if not rows:
        return empty_table(columns)
    width = len(columns)
    if any(len(row) != width for row in rows):
        raise DataError(f"a row of the answer does not have the {width} columns its metadata announces")
    arrays = [
        decode_column(list(values), column) for values, column in zip(zip(*rows, strict=True), columns, strict=True)
    ]
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def empty_table(columns: list[Column]) -> pa.Table:
    return pa.table({c.name: pa.array([], _arrow_type(c)) for c in columns})


def _arrow_type(column: Column) -> pa.DataType:
    kind = types.lookup(column.type_name)
    if kind.arrow_kind == "decimal" and column.precision is None:
        return pa.decimal128(38, 0)
    return kind.arrow(column.precision, column.scale)


_UTC = dt.timezone.utc
_EPOCH = {True: dt.datetime(1970, 1, 1, tzinfo=_UTC), False: dt.datetime(1970, 1, 1)}
_MICROS = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}


def _timestamps(column: pa.ChunkedArray) -> list:
    """Timestamps as datetimes, 5x faster than pyarrow's own conversion of zoned values (which
    goes through zoneinfo per value), and always with ``datetime.timezone.utc``."""
    kind = column.type
    per = _MICROS[kind.unit]
    if per is None:  # nanoseconds: Python datetimes stop at microseconds
        column, per = pc.cast(column, pa.timestamp("us", tz=kind.tz), safe=False), 1
    epoch, delta = _EPOCH[kind.tz is not None], dt.timedelta
    return [None if v is None else epoch + delta(microseconds=v * per) for v in column.cast(pa.int64()).to_pylist()]


def _python_values(column: pa.ChunkedArray, name: str) -> list:
    """One column's Python values; a value Python cannot hold (a UTC instant in year 0 or 10000,
    which Data Cloud can) is a DataError naming the column, never an OverflowError."""
    try:
        return _timestamps(column) if pa.types.is_timestamp(column.type) else column.to_pylist()
    except (OverflowError, ValueError) as exc:
        raise DataError(f"column {name!r} ({column.type}) has a value Python cannot hold: {exc}{_RANGE_HINT}") from None


def python_rows(table: pa.Table) -> list[tuple]:
    """Rows as tuples of Python values: Decimal, int, float, bool, date, time, aware UTC datetime, str."""
    if table.num_rows == 0:
        return []
    columns = [_python_values(column, name) for column, name in zip(table.columns, table.column_names, strict=True)]
    return list(zip(*columns, strict=True))


def unify(tables: list[pa.Table]) -> pa.Table:
    """Concatenate pages whose types may differ slightly (a V1/V2 decimal's scale is inferred per page)."""
    if not tables:
        return pa.table({})
    first = tables[0].schema
    if all(t.schema.equals(first) for t in tables[1:]):
        return pa.concat_tables(tables)
    schema = pa.unify_schemas([t.schema for t in tables], promote_options="permissive")
    return pa.concat_tables([t.cast(schema) for t in tables])


class Progress:
    """An optional tqdm bar counting rows and bytes of a fetch."""

    def __init__(self, enabled: bool, total: int | None, what: str) -> None:
        self._bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                return
            self._bar = tqdm(total=total, unit=" rows", unit_scale=True, desc=what, leave=False)
        self._bytes = 0

    def update(self, page: pa.Table) -> None:
        if self._bar is not None:
            self._bytes += page.nbytes
            self._bar.set_postfix_str(f"{self._bytes / 1e6:,.0f} MB", refresh=False)
            self._bar.update(page.num_rows)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
