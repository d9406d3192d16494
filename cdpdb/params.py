"""Query parameters: server-side where the API has them (V3, Connect), strict literals otherwise.

``paramstyle`` is ``named`` (``:name`` with a mapping); ``qmark`` (``?`` with a sequence) works
too. A list, tuple or set value expands to ``(v1, v2, ...)`` for ``IN``. On V1/V2, values are
rendered as SQL literals by a renderer that accepts only known types and quotes text by doubling
single quotes, so a value can never become SQL.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._sqlscan import substitute
from .exceptions import ProgrammingError

_SEQUENCES = (list, tuple, set, frozenset)
_SUPPORTED = "str, int, float, Decimal, bool, None, date, datetime, or a list/tuple/set of those"


@dataclass(frozen=True)
class BoundParameter:
    """One server-side parameter: a Data Cloud type name and the value as text."""

    name: str | None
    type: str  # V3 spelling (lower case); Connect wants PascalCase, see connect_type
    value: str | None


def _check_type(value: Any) -> None:
    if value is None or isinstance(value, (str, bool, int, float, Decimal, dt.date)):
        return
    raise ProgrammingError(f"cannot send a parameter of type {type(value).__name__}; use {_SUPPORTED}")


def server_parameter(value: Any, name: str | None = None) -> BoundParameter:
    _check_type(value)
    if value is None:
        return BoundParameter(name, "varchar", None)
    if isinstance(value, bool):
        return BoundParameter(name, "boolean", "true" if value else "false")
    if isinstance(value, int):
        return BoundParameter(name, "bigint", str(value))
    if isinstance(value, float):
        return BoundParameter(name, "double", float_text(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ProgrammingError(f"cannot send the decimal {value}: Data Cloud decimals are finite")
        return BoundParameter(name, "numeric", str(value))
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return BoundParameter(name, "timestamp", value.isoformat(sep=" "))
        return BoundParameter(name, "timestamptz", value.astimezone(dt.timezone.utc).isoformat(sep=" "))
    if isinstance(value, dt.date):
        return BoundParameter(name, "date", value.isoformat())
    return BoundParameter(name, "varchar", value)


_CONNECT_TYPES = {
    "varchar": "Varchar",
    "boolean": "Boolean",
    "bigint": "BigInt",
    "double": "Double",
    "numeric": "Numeric",
    "timestamp": "Timestamp",
    "timestamptz": "TimestampTZ",
    "date": "Date",
}


def connect_type(v3_type: str) -> str:
    return _CONNECT_TYPES[v3_type]


def float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def render_literal(value: Any) -> str:
    """A SQL literal for V1/V2 (Trino-like SQL) that means exactly ``value``."""
    _check_type(value)
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)
        return f"CAST('{float_text(value)}' AS DOUBLE)"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ProgrammingError(f"cannot send the decimal {value}: Data Cloud decimals are finite")
        scale = min(max(-value.as_tuple().exponent, 0), 37)  # a bare DECIMAL has scale 0: say it
        return f"CAST('{value:f}' AS DECIMAL(38, {scale}))"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
        return f"CAST('{value.astimezone(dt.timezone.utc).isoformat(sep=' ')}' AS TIMESTAMP WITH TIME ZONE)"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if "\x00" in value:
        raise ProgrammingError("text parameters cannot contain the NUL character")
    return "'" + value.replace("'", "''") + "'"


def style_of(parameters: Any) -> str | None:
    if parameters is None:
        return None
    if isinstance(parameters, Mapping):
        return "NAMED"
    if isinstance(parameters, Sequence) and not isinstance(parameters, (str, bytes)):
        return "QUESTION_MARK"
    raise ProgrammingError(
        f"parameters must be a mapping (for :name placeholders) or a sequence (for ?), not {type(parameters).__name__}"
    )


def _values(parameters: Any, style: str):
    """A function giving the value for each placeholder match, checking that all are used."""
    if style == "NAMED":
        missing: list[str] = []

        def named(match):
            name = match.group(1)
            if name not in parameters:
                missing.append(name)
                return None
            return name, parameters[name]

        return named, missing
    iterator = iter(parameters)
    missing = []

    def positional(match):
        try:
            return None, next(iterator)
        except StopIteration:
            missing.append("?")
            return None

    positional.remaining = iterator  # type: ignore[attr-defined]
    return positional, missing


def inline(sql: str, parameters: Any) -> str:
    """Client-side binding for V1/V2: every placeholder becomes a literal."""
    style = style_of(parameters)
    if style is None:
        return sql
    value_of, missing = _values(parameters, style)

    def replace(match) -> str:
        found = value_of(match)
        if found is None:
            return match.group(0)
        value = found[1]
        if isinstance(value, _SEQUENCES):
            if not value:
                raise ProgrammingError("an empty list cannot be sent: IN () is not valid SQL")
            return "(" + ", ".join(render_literal(v) for v in value) + ")"
        return render_literal(value)

    out = substitute(sql, style, replace)
    _check_complete(style, parameters, missing, value_of)
    return out


def server_side(sql: str, parameters: Any) -> tuple[str, str | None, list[BoundParameter]]:
    """SQL and parameters for V3/Connect. Lists expand to one placeholder per element."""
    style = style_of(parameters)
    if style is None:
        return sql, None, []
    value_of, missing = _values(parameters, style)
    bound: list[BoundParameter] = []
    seen: dict[str, str] = {}

    def replace(match) -> str:
        found = value_of(match)
        if found is None:
            return match.group(0)
        name, value = found
        if style == "NAMED" and name in seen:
            return seen[name]
        if isinstance(value, _SEQUENCES):
            if not value:
                raise ProgrammingError("an empty list cannot be sent: IN () is not valid SQL")
            parts = []
            for i, item in enumerate(value):
                item_name = f"{name}__{i}" if name else None
                bound.append(server_parameter(item, item_name))
                parts.append(f":{item_name}" if name else "?")
            text = "(" + ", ".join(parts) + ")"
        else:
            bound.append(server_parameter(value, name))
            text = match.group(0)
        if name:
            seen[name] = text
        return text

    out = substitute(sql, style, replace)
    _check_complete(style, parameters, missing, value_of)
    return out, style, bound


def _check_complete(style, parameters, missing, value_of) -> None:
    if missing:
        names = ", ".join(sorted(set(missing)))
        raise ProgrammingError(
            f"the SQL has placeholders with no value: {names}"
            if style == "NAMED"
            else f"the SQL has more ? placeholders than the {len(parameters)} parameter(s) given"
        )
    if style == "QUESTION_MARK" and next(value_of.remaining, _END) is not _END:
        raise ProgrammingError(f"{len(parameters)} parameters were given but the SQL has fewer ? placeholders")


_END = object()
