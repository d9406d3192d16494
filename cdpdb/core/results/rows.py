"""Arrow → Python rows, and pages joined into one table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from itertools import repeat
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.core.collector import collector_paused
from cdpdb.core.results.decode import RANGE_HINT
from cdpdb.exceptions import DataError

_UTC = dt.timezone.utc
_EPOCH = {True: dt.datetime(1970, 1, 1, tzinfo=_UTC), False: dt.datetime(1970, 1, 1)}
_MICROS = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}


_DAY_MICROS = 86_400_000_000
# Microseconds since 1970 of 0001-01-01T00:00 and 9999-12-31T23:59:59.999999: what a datetime holds.
_MICROS_HELD = (-62_135_596_800_000_000, 253_402_300_799_999_999)


# ``datetime(state, tzinfo)``: the constructor's unpickling form, which typeshed does not declare.
_FROM_STATE = cast(Callable[[bytes, dt.tzinfo | None], dt.datetime], dt.datetime)


def _datetime_states(micros: np.ndarray) -> list[bytes]:
    """Each instant's 10-byte datetime state (year high and low byte, month, day, hour, minute,
    second, microsecond in 3 bytes: the form ``datetime`` pickles itself as and is rebuilt from),
    computed for the whole column in numpy. ``micros`` must lie within :data:`_MICROS_HELD`."""
    days, of_day = np.divmod(micros, _DAY_MICROS)
    day = days.astype("datetime64[D]")
    year_start = day.astype("datetime64[Y]")
    month_start = day.astype("datetime64[M]")
    year = year_start.astype(np.int64) + 1970
    seconds, micro = np.divmod(of_day, 1_000_000)
    states = np.empty((len(micros), 10), np.uint8)
    states[:, 0], states[:, 1] = year >> 8, year & 0xFF
    states[:, 2] = (month_start - year_start.astype("datetime64[M]")).astype(np.int64) + 1
    states[:, 3] = (day - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    states[:, 4], states[:, 5], states[:, 6] = seconds // 3600, seconds // 60 % 60, seconds % 60
    states[:, 7], states[:, 8], states[:, 9] = micro >> 16, (micro >> 8) & 0xFF, micro & 0xFF
    held: list[bytes] = states.view("V10").ravel().tolist()  # one bytes object per row, made in C
    return held


def _timestamps(column: pa.ChunkedArray | pa.Array) -> list[dt.datetime | None]:
    """Timestamps as datetimes, always with ``datetime.timezone.utc`` when the column has a zone.

    Each datetime is rebuilt from its pickled state (``datetime(state, tz)``), the states made in
    numpy: 2.3x faster than ``fromtimestamp`` per value (0.42 → 0.18 s per million), faster still
    than pyarrow's conversion of zoned values (zoneinfo per value), exact at any date."""
    kind = column.type
    per = _MICROS[kind.unit]
    if per is None:  # nanoseconds: Python datetimes stop at microseconds
        column, per = pc.cast(column, pa.timestamp("us", tz=kind.tz), safe=False), 1
    micros = column.cast(pa.int64())
    if per != 1:
        micros = pc.multiply_checked(micros, per)
    zone = None if kind.tz is None else _UTC
    counts = pc.fill_null(micros, 0).to_numpy()
    if len(counts) and (counts.min() < _MICROS_HELD[0] or counts.max() > _MICROS_HELD[1]):
        epoch, delta = _EPOCH[zone is not None], dt.timedelta  # raises the OverflowError the caller reports
        return [None if v is None else epoch + delta(microseconds=v) for v in micros.to_pylist()]
    values: list[dt.datetime | None] = list(map(_FROM_STATE, _datetime_states(counts), repeat(zone)))
    _nulls_to_none(values, column)
    return values


def _nulls_to_none(values: list[Any], column: pa.ChunkedArray | pa.Array) -> None:
    """Put None where ``column`` is null (its values were made from a placeholder there)."""
    if column.null_count:
        for index in np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False)).tolist():
            values[index] = None


_DAYS = (-719_162, 2_932_896)  # date32 days of 0001-01-01 and 9999-12-31: what Python's date holds


def _dates(column: pa.ChunkedArray | pa.Array) -> list[dt.date | None]:
    """date32 values through numpy (15x faster than pyarrow's per-value conversion)."""
    days = pc.fill_null(column, 0).cast(pa.int32()).to_numpy()
    if len(days) and (days.min() < _DAYS[0] or days.max() > _DAYS[1]):
        outside: list[dt.date | None] = column.to_pylist()  # raises the OverflowError the caller reports
        return outside
    values: list[dt.date | None] = days.astype("datetime64[D]").tolist()
    _nulls_to_none(values, column)
    return values


def _decimals(column: pa.ChunkedArray | pa.Array) -> list[Decimal | None]:
    """Decimals from their exact text (about 2x faster than from the 128-bit integers)."""
    return [None if text is None else Decimal(text) for text in pc.cast(column, pa.string()).to_pylist()]


def _plain(column: pa.ChunkedArray | pa.Array) -> list[Any]:
    values: list[Any] = column.to_pylist()
    return values


_SAMPLE = 1024  # values looked at to guess whether a column repeats itself


def _through_distinct(column: pa.ChunkedArray, convert: Callable[[Any], list[Any]]) -> list[Any]:
    """The column's Python values, made by ``convert`` — once per distinct value when the values
    repeat (a category, a day, an amount): making a str, date, datetime or Decimal costs several
    times more than placing a reference to one, and equal values may share one object as these
    types are immutable. The references are placed by numpy (a take over an object array), so no
    Python int is made per row either. Mostly distinct values are converted as they are."""
    if len(column) > _SAMPLE and pc.count_distinct(column.slice(0, _SAMPLE), mode="all").as_py() * 2 <= _SAMPLE:
        encoded = pc.dictionary_encode(column.combine_chunks())
        distinct = encoded.dictionary
        if len(distinct) * 2 <= len(column):
            made = convert(distinct)
            objects = np.empty(len(made) + 1, dtype=object)
            objects[: len(made)] = made  # a list of scalars: one object per slot
            objects[len(made)] = None  # where the nulls point
            values: list[Any] = objects[pc.fill_null(encoded.indices, len(made)).to_numpy()].tolist()
            return values
    return convert(column)


def _python_values(column: pa.ChunkedArray, name: str) -> list[Any]:
    """One column's Python values; a value Python cannot hold (a UTC instant in year 0 or 10000,
    which a server may send) is a DataError naming the column, never an OverflowError."""
    kind = column.type
    try:
        if pa.types.is_timestamp(kind):
            return _through_distinct(column, _timestamps)
        if pa.types.is_date32(kind):
            return _through_distinct(column, _dates)
        if pa.types.is_decimal(kind):
            return _through_distinct(column, _decimals)
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            return _through_distinct(column, _plain)
        return _plain(column)
    except (OverflowError, ValueError) as exc:
        raise DataError(f"column {name!r} ({column.type}) has a value Python cannot hold: {exc}{RANGE_HINT}") from None


Row = tuple[Any, ...]


BLOCK_ROWS = 16_384  # rows made at a time: their objects are still in the CPU's cache when zipped


def python_rows(table: pa.Table, into: list[Row] | None = None) -> list[Row]:
    """Rows as tuples of Python values: Decimal, int, float, bool, date, time, aware UTC datetime, str;
    appended to ``into`` when given (pages gathered in one list are never copied from list to list:
    each copy touches every row's reference count, a cache miss per row).

    A block of rows at a time (each column's values, then the block's tuples): building a tuple
    touches every value's reference count, which costs a cache miss per value once the objects
    made for a whole page have left the cache. The garbage collector is paused meanwhile (see
    :mod:`cdpdb.core.collector`)."""
    rows: list[Row] = [] if into is None else into
    with collector_paused():
        for start in range(0, table.num_rows, BLOCK_ROWS):
            block = table.slice(start, BLOCK_ROWS)
            columns = [
                _python_values(column, name) for column, name in zip(block.columns, block.column_names, strict=True)
            ]
            rows += zip(*columns, strict=True)
    return rows


def unify(tables: list[pa.Table]) -> pa.Table:
    """Concatenate pages whose types may differ slightly (a V1/V2 decimal's scale is inferred per page)."""
    if not tables:
        return pa.table({})
    first = tables[0].schema
    if all(t.schema.equals(first) for t in tables[1:]):
        return pa.concat_tables(tables)
    schema = pa.unify_schemas([t.schema for t in tables], promote_options="permissive")
    return pa.concat_tables([t.cast(schema) for t in tables])
