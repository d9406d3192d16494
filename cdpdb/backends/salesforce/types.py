"""THE Data Cloud type table: every type name ↔ DB-API type object ↔ Arrow type.

The decoders read this table (handed to the vendor-free decoder as :data:`TYPES`). Data Cloud
spells its types three ways: V1/V2 metadata (``DECIMAL``, typeCode 3), V3/Connect metadata
(``Numeric``) and the Metadata API (``NUMBER``, ``DATE_TIME``); all of them resolve here, and each spelling is
added to the PEP 249 type object it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from cdpdb.core.results.schema import Column
from cdpdb.dbapi_types import BINARY, BOOLEAN, DATETIME, NUMBER, STRING, DBAPIType


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
    (DataCloudType("Numeric", "decimal", NUMBER), ("NUMERIC", "DECIMAL", "NUMBER")),
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


for _kind, _aliases in _TYPES:
    _kind.dbapi.cover(_kind.name, *_aliases)


class DataCloudTypes:
    """The type table as the vendor-free decoder asks for it."""

    def arrow(self, column: Column) -> pa.DataType | None:
        """The Arrow type of ``column``; ``None`` for a decimal whose scale the data must give
        (V1/V2 metadata says DECIMAL with no precision or scale)."""
        kind = lookup(column.type_name)
        if kind.arrow_kind == "decimal" and column.precision is None:
            return None
        return kind.arrow(column.precision, column.scale)

    def name_of(self, arrow_type: pa.DataType) -> str:
        return from_arrow(arrow_type).name


TYPES = DataCloudTypes()
