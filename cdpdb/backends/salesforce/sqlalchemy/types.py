"""SQLAlchemy types for Data Cloud columns, from the Metadata API's description of a field."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import types as sqltypes

from cdpdb.backends.salesforce.metadata import Field
from cdpdb.backends.salesforce.types import lookup
from cdpdb.sqlalchemy.compat import Double, with_bind_cast

# Whole numbers by their digit count: what the Metadata API says of SMALLINT, INTEGER and BIGINT.
_INTEGER_TYPES = {5: sqltypes.SmallInteger, 10: sqltypes.Integer, 19: sqltypes.BigInteger}
_BY_KIND: dict[str, Callable[[], sqltypes.TypeEngine]] = {
    "int64": sqltypes.BigInteger,
    "int32": sqltypes.Integer,
    "int16": sqltypes.SmallInteger,
    "float64": Double,
    "float32": sqltypes.Float,
    "bool": sqltypes.Boolean,
    "date": sqltypes.Date,
    "time": sqltypes.Time,
    "timestamp": sqltypes.DateTime,
    "timestamptz": lambda: sqltypes.DateTime(timezone=True),
    "binary": sqltypes.LargeBinary,
}


def column_type(field: Field) -> sqltypes.TypeEngine:
    """The SQLAlchemy type of a Metadata API field (by the type table), keeping precision, scale,
    lengths and time zones. A NUMBER without precision is a double; with scale 0 and the digits
    of SMALLINT, INTEGER or BIGINT it is that integer."""
    kind = lookup(field.type).arrow_kind
    if kind == "decimal":
        if field.precision is None:
            return Double()
        if field.scale == 0 and field.precision in _INTEGER_TYPES:
            return _INTEGER_TYPES[field.precision]()
        return sqltypes.Numeric(field.precision, field.scale, asdecimal=True)
    if kind in _BY_KIND:
        return _BY_KIND[kind]()
    return sqltypes.VARCHAR(field.length) if field.length else sqltypes.String()


# Hyper types a bind parameter from its value, and a NULL (or a value compared with a CASE, an
# IN list, an arithmetic expression) often has none it can use: these render ``:p::TYPE``.
BIND_CASTS = {
    sqltypes.Enum: sqltypes.Enum,  # a String with its own arguments; its values are typed already
    **{
        base: with_bind_cast(base)
        for base in (
            sqltypes.String,
            sqltypes.Integer,
            sqltypes.SmallInteger,
            sqltypes.BigInteger,
            sqltypes.Numeric,
            sqltypes.Float,
            sqltypes.Boolean,
            sqltypes.Date,
            sqltypes.DateTime,
        )
    },
}
