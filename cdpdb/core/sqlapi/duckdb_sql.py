"""DuckDB's side of the SQL layer: literals for bound values, type names, and its errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa

from cdpdb.core import adapt
from cdpdb.core.results.schema import Column
from cdpdb.exceptions import (
    DatabaseError,
    DataError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)

LIMITS = adapt.Limits(
    system="the SQL engine (DuckDB)", bigint=(-(2**63), 2**63 - 1), numeric_precision=38, numeric_scale=38
)
ADAPTERS = adapt.Adapters(adapt.adapters, limits=LIMITS)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _decimal(text: str) -> str:
    digits = text.lstrip("-").replace(".", "")
    scale = len(text.split(".", 1)[1]) if "." in text else 0
    return f"CAST('{text}' AS DECIMAL({max(len(digits), scale, 1)}, {scale}))"


_LITERALS: dict[adapt.Kind, Callable[[str], str]] = {
    "text": _quoted,
    "boolean": str.upper,
    "bigint": str,
    "double": lambda text: f"CAST('{text}' AS DOUBLE)",
    "numeric": _decimal,
    "timestamp": lambda text: f"TIMESTAMP '{text}'",
    "timestamptz": lambda text: f"TIMESTAMPTZ '{text}'",
    "date": lambda text: f"DATE '{text}'",
    "time": lambda text: f"TIME '{text}'",
}


# The engine reads only the scans it is handed: no files, no network, no extensions, and a
# statement cannot turn that back on. (A BI tool may let many people type SQL into one process.)
CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def literal(value: Any) -> str:
    """The DuckDB literal that means exactly ``value`` (the registry's exact text, typed)."""
    dumped = ADAPTERS.dump(value)
    return "NULL" if dumped.text is None else _LITERALS[dumped.kind](dumped.text)


class ArrowTypeNames:
    """SQL type names for Arrow types (what ``cursor.description`` shows for an API backend)."""

    def name_of(self, arrow_type: pa.DataType) -> str:
        if pa.types.is_timestamp(arrow_type):
            return "TIMESTAMP WITH TIME ZONE" if arrow_type.tz else "TIMESTAMP"
        if pa.types.is_decimal(arrow_type):
            return "DECIMAL"
        if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
            return f"{self.name_of(arrow_type.value_type)}[]"
        for check, name in _NAMES:
            if check(arrow_type):
                return name
        return str(arrow_type).upper()

    def arrow(self, column: Column) -> pa.DataType | None:
        """Used for the empty table of a result that has no schema: the SQL layer's results always
        have one, so only the plain names matter here."""
        return _BY_NAME.get(column.type_name.upper(), pa.string())


_NAMES: list[tuple[Callable[[pa.DataType], bool], str]] = [
    (pa.types.is_boolean, "BOOLEAN"),
    (lambda t: t == pa.int8(), "TINYINT"),
    (pa.types.is_int16, "SMALLINT"),
    (pa.types.is_int32, "INTEGER"),
    (pa.types.is_int64, "BIGINT"),
    (pa.types.is_float32, "REAL"),
    (pa.types.is_float64, "DOUBLE"),
    (pa.types.is_date, "DATE"),
    (pa.types.is_time, "TIME"),
    (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t), "VARCHAR"),
    (lambda t: pa.types.is_binary(t) or pa.types.is_large_binary(t), "BLOB"),
    (pa.types.is_struct, "STRUCT"),
]
_BY_NAME = {
    "BOOLEAN": pa.bool_(),
    "SMALLINT": pa.int16(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "REAL": pa.float32(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC"),
}
TYPES = ArrowTypeNames()


def error_from_duckdb(exc: duckdb.Error) -> DatabaseError:
    """DuckDB's exception classes → the PEP 249 tree, with the SQLSTATE their class means."""
    message = str(exc).split("\n", 1)[0]  # DuckDB's "Did you mean" suggestions name its internal catalog
    for kind, (cls, sqlstate) in _ERRORS.items():
        if isinstance(exc, kind):
            return cls(f"the statement failed: {message}", sqlstate=sqlstate)
    return DatabaseError(f"the statement failed: {message}")


_ERRORS: dict[type[duckdb.Error], tuple[type[DatabaseError], str]] = {
    duckdb.PermissionException: (ProgrammingError, "42501"),  # files, extensions: see CONFIG
    duckdb.ParserException: (ProgrammingError, "42601"),
    duckdb.CatalogException: (ProgrammingError, "42P01"),
    duckdb.BinderException: (ProgrammingError, "42703"),
    duckdb.ConversionException: (DataError, "22018"),
    duckdb.OutOfRangeException: (DataError, "22003"),
    duckdb.InvalidInputException: (DataError, "22023"),
    duckdb.NotImplementedException: (NotSupportedError, "0A000"),
    duckdb.InterruptException: (OperationalError, "57014"),
    duckdb.OutOfMemoryException: (OperationalError, "53200"),
}
