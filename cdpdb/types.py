"""THE type table: every Data Cloud type name ↔ DB-API type object ↔ Arrow type.

Every decoder reads this table; nothing else knows type names. Data Cloud spells its types three
ways: V1/V2 metadata (``DECIMAL``, typeCode 3), V3/Connect metadata (``Numeric``) and the
Metadata API (``NUMBER``); all of them resolve here.
"""

from __future__ import annotations

import datetime as _dt
import time as _time
from dataclasses import dataclass

import pyarrow as pa


class DBAPIType(frozenset):
    """A PEP 249 type object: compares equal to every Data Cloud type name it covers."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return other.upper() in self
        return frozenset.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = frozenset.__hash__


STRING = DBAPIType({"VARCHAR", "CHAR", "TEXT", "STRING"})
BINARY = DBAPIType({"VARBINARY", "BINARY", "BYTES"})
NUMBER = DBAPIType(
    {"DECIMAL", "NUMERIC", "NUMBER", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT", "REAL"}
)
DATETIME = DBAPIType({"DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE", "DATE_TIME"})
BOOLEAN = DBAPIType({"BOOLEAN", "BOOL"})
ROWID = DBAPIType({"ROWID"})


@dataclass(frozen=True)
class DataCloudType:
    name: str  # canonical (V3/Connect) name
    arrow_kind: str
    dbapi: DBAPIType

    def arrow(self, precision: int | None = None, scale: int | None = None) -> pa.DataType:
        if self.arrow_kind == "decimal":
            return pa.decimal128(precision or 38, scale if scale is not None else 0)
        return _ARROW[self.arrow_kind]


_ARROW = {
    "string": pa.string(),
    "int64": pa.int64(),
    "int32": pa.int32(),
    "int16": pa.int16(),
    "float64": pa.float64(),
    "float32": pa.float32(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "time": pa.time64("us"),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "binary": pa.binary(),
}

_TYPES = [
    (DataCloudType("Varchar", "string", STRING), ("VARCHAR", "TEXT", "CHAR", "STRING")),
    (DataCloudType("Numeric", "decimal", NUMBER), ("NUMERIC", "DECIMAL")),
    (DataCloudType("BigInt", "int64", NUMBER), ("BIGINT",)),
    (DataCloudType("Integer", "int32", NUMBER), ("INTEGER", "INT")),
    (DataCloudType("SmallInt", "int16", NUMBER), ("SMALLINT", "TINYINT")),
    (DataCloudType("Double", "float64", NUMBER), ("DOUBLE", "DOUBLE PRECISION")),
    (DataCloudType("Float", "float32", NUMBER), ("FLOAT", "REAL")),
    (DataCloudType("Boolean", "bool", BOOLEAN), ("BOOLEAN", "BOOL")),
    (DataCloudType("Date", "date", DATETIME), ("DATE",)),
    (DataCloudType("Time", "time", DATETIME), ("TIME",)),
    (DataCloudType("Timestamp", "timestamp", DATETIME), ("TIMESTAMP",)),
    (DataCloudType("TimestampTZ", "timestamptz", DATETIME), ("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE", "DATE_TIME")),
    (DataCloudType("Bytes", "binary", BINARY), ("BYTES", "VARBINARY", "BINARY")),
]
_BY_NAME = {alias: kind for kind, aliases in _TYPES for alias in aliases}


def lookup(type_name: str) -> DataCloudType:
    """The type for any spelling Data Cloud uses; unknown names are read as text (never lost)."""
    return _BY_NAME.get(type_name.strip().upper(), _TYPES[0][0])


def from_arrow(arrow_type: pa.DataType) -> DataCloudType:
    for kind, _ in _TYPES:
        if kind.arrow_kind == "decimal" and pa.types.is_decimal(arrow_type):
            return kind
        if kind.arrow_kind != "decimal" and _ARROW[kind.arrow_kind] == arrow_type:
            return kind
    if pa.types.is_timestamp(arrow_type):
        return lookup("TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP")
    if pa.types.is_date(arrow_type):
        return lookup("DATE")
    if pa.types.is_integer(arrow_type):
        return lookup("BIGINT")
    if pa.types.is_floating(arrow_type):
        return lookup("DOUBLE")
    return _TYPES[0][0]


# -- PEP 249 constructors ---------------------------------------------------------------------

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime
Binary = bytes


def DateFromTicks(ticks: float) -> _dt.date:  # PEP 249 name
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> _dt.time:  # PEP 249 name
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> _dt.datetime:  # PEP 249 name
    return Timestamp(*_time.localtime(ticks)[:6])
