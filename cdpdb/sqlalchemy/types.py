"""SQLAlchemy types for Data Cloud columns, from the Metadata API's description of a field."""

from __future__ import annotations

from sqlalchemy import types as sqltypes

from ..metadata import Field


def column_type(field: Field) -> sqltypes.TypeEngine:
    """The SQLAlchemy type of a Metadata API field, keeping precision, scale and time zones."""
    kind = field.type
    if kind == "NUMBER":
        if field.precision is None:
            return sqltypes.Double()
        if field.scale == 0 and field.precision == 19:
            return sqltypes.BigInteger()
        return sqltypes.Numeric(field.precision, field.scale, asdecimal=True)
    if kind == "BOOLEAN":
        return sqltypes.Boolean()
    if kind == "DATE":
        return sqltypes.Date()
    if kind == "DATE_TIME":
        return sqltypes.DateTime(timezone=True)
    return sqltypes.String()
