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

from cdpdb.core.sqlscan import Edit, substitute
from cdpdb.exceptions import DataError, ProgrammingError

_SEQUENCES = (list, tuple, set, frozenset)
_SUPPORTED = "str, int, float, Decimal, bool, None, date, time, datetime, or a list/tuple/set of those"
_UTC = dt.timezone.utc
NUMERIC_DIGITS = 38  # Data Cloud's NUMERIC (Hyper's): at most 38 digits, at most 38 of them after the point
BIGINT_RANGE = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class BoundParameter:
    """One server-side parameter: a Data Cloud type name and the value as text."""

    name: str | None
    type: str  # V3 spelling (lower case); Connect wants PascalCase, see connect_type
    value: str | None


@dataclass(frozen=True)
class Adapted:
    """A Python value as Data Cloud takes it: its type (V3 spelling) and its exact text (None is NULL).

    The one place that knows each Python type: V3/Connect send ``text`` as the parameter value and
    V1/V2 build their literal from it (``literal``), so every API sends the same digits.
    """

    type: str
    text: str | None

    def literal(self) -> str:
        """The V1/V2 (Trino-like SQL) literal that means exactly this value."""
        if self.text is None:
            return "NULL"
        return _LITERALS[self.type](self.text)


def adapt(value: Any) -> Adapted:
    """The type and exact text of one parameter value; refuses what Data Cloud cannot hold."""
    if value is None:
        return Adapted("varchar", None)
    for python_type, adapter in _ADAPTERS:
        if isinstance(value, python_type):
            return adapter(value)
    raise ProgrammingError(f"cannot send a parameter of type {type(value).__name__}; use {_SUPPORTED}")


def _bool(value: bool) -> Adapted:
    return Adapted("boolean", "true" if value else "false")


def _int(value: int) -> Adapted:
    low, high = BIGINT_RANGE
    if not low <= value <= high:
        raise DataError(
            f"the integer {value} does not fit Data Cloud's BIGINT ({low} to {high}); "
            "send it as decimal.Decimal(value) for a NUMERIC of up to 38 digits"
        )
    return Adapted("bigint", str(int(value)))  # int(): an IntEnum's str() is its name


def _float(value: float) -> Adapted:
    return Adapted("double", float_text(value))


def _decimal(value: Decimal) -> Adapted:
    return Adapted("numeric", decimal_text(value))


def _datetime(value: dt.datetime) -> Adapted:
    if value.utcoffset() is None:
        return Adapted("timestamp", value.isoformat(sep=" "))
    return Adapted("timestamptz", timestamptz_text(value))


def _date(value: dt.date) -> Adapted:
    return Adapted("date", value.isoformat())


def _time(value: dt.time) -> Adapted:
    if value.utcoffset() is not None:
        raise ProgrammingError(
            f"cannot send the time {value}: Data Cloud's TIME has no time zone; "
            "send a naive time (value.replace(tzinfo=None)) or an aware datetime"
        )
    return Adapted("time", value.isoformat())


def _str(value: str) -> Adapted:
    if "\x00" in value:
        raise ProgrammingError("text parameters cannot contain the NUL character")
    return Adapted("varchar", value)


# Order matters: bool is an int, datetime is a date.
_ADAPTERS: tuple = (
    (str, _str),
    (bool, _bool),
    (int, _int),
    (float, _float),
    (Decimal, _decimal),
    (dt.datetime, _datetime),
    (dt.date, _date),
    (dt.time, _time),
)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _decimal_literal(text: str) -> str:
    scale = len(text.split(".", 1)[1]) if "." in text else 0  # a bare DECIMAL has scale 0: say it
    return f"CAST('{text}' AS DECIMAL({NUMERIC_DIGITS}, {scale}))"


_LITERALS = {
    "varchar": _quoted,
    "boolean": str.upper,
    "bigint": str,
    # A double as a string cast: a bare 0.1 is a DECIMAL in Trino, and -0.0, NaN and infinities
    # have no numeric literal at all.
    "double": lambda text: f"CAST('{text}' AS DOUBLE)",
    "numeric": _decimal_literal,
    "timestamp": lambda text: f"TIMESTAMP '{text}'",
    "timestamptz": lambda text: f"CAST('{text}' AS TIMESTAMP WITH TIME ZONE)",
    "date": lambda text: f"DATE '{text}'",
    "time": lambda text: f"TIME '{text}'",
}


def server_parameter(value: Any, name: str | None = None) -> BoundParameter:
    adapted = adapt(value)
    return BoundParameter(name, adapted.type, adapted.text)


_CONNECT_TYPES = {
    "varchar": "Varchar",
    "boolean": "Boolean",
    "bigint": "BigInt",
    "double": "Double",
    "numeric": "Numeric",
    "timestamp": "Timestamp",
    "timestamptz": "TimestampTZ",
    "date": "Date",
    "time": "Time",
}


def connect_type(v3_type: str) -> str:
    return _CONNECT_TYPES[v3_type]


def float_text(value: float) -> str:
    """Text that reads back as exactly ``value``: repr is the shortest such text, sign of zero kept."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))


def decimal_text(value: Decimal) -> str:
    """Plain digits with the value's own scale (``1E-7`` → ``0.0000001``, ``1E+2`` → ``100``), after
    checking that NUMERIC(38, scale) holds it: never a rounded or different number."""
    if not value.is_finite():
        raise DataError(f"cannot send the decimal {value}: Data Cloud's NUMERIC holds only finite numbers")
    _, digits, exponent = value.as_tuple()
    scale = max(-exponent, 0)
    whole_digits = max(len(digits) + exponent, 0) if any(digits) else 0
    precision = max(whole_digits + scale, 1)
    if scale > NUMERIC_DIGITS:
        raise DataError(
            f"cannot send the decimal {value}: it has {scale} digits after the decimal point and Data Cloud's "
            f"NUMERIC holds at most {NUMERIC_DIGITS}; round it first, e.g. value.quantize(Decimal('1E-38'))"
        )
    if precision > NUMERIC_DIGITS:
        raise DataError(
            f"cannot send the decimal {value}: it has {precision} digits and Data Cloud's "
            f"NUMERIC holds at most {NUMERIC_DIGITS}; round it to fewer digits (value.quantize(...)) "
            "or send it as a float"
        )
    return format(value, "f")


def timestamptz_text(value: dt.datetime) -> str:
    """The instant in UTC; one whose UTC date falls outside Python's years 1-9999 (0001-01-01
    00:00+05:00) keeps its own offset, which Data Cloud reads just as well."""
    try:
        return value.astimezone(_UTC).isoformat(sep=" ")
    except OverflowError:
        return value.isoformat(sep=" ")


def render_literal(value: Any) -> str:
    """A SQL literal for V1/V2 (Trino-like SQL) that means exactly ``value``."""
    return adapt(value).literal()


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


def inline(sql: str, parameters: Any, edits: list[Edit] | None = None) -> str:
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

    out = substitute(sql, style, replace, edits)
    _check_complete(style, parameters, missing, value_of)
    return out


def server_side(
    sql: str, parameters: Any, edits: list[Edit] | None = None
) -> tuple[str, str | None, list[BoundParameter]]:
    """SQL and parameters for V3/Connect. Lists expand to one placeholder per element."""
    style = style_of(parameters)
    if style is None:
        return sql, None, []
    value_of, missing = _values(parameters, style)
    bound: list[BoundParameter] = []
    seen: dict[str, str] = {}
    taken = {str(name) for name in parameters} if style == "NAMED" else set()

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
            names = _element_names(name, len(value), taken) if name else [None] * len(value)
            bound.extend(server_parameter(item, item_name) for item, item_name in zip(value, names, strict=True))
            text = "(" + ", ".join(f":{item_name}" if item_name else "?" for item_name in names) + ")"
        else:
            bound.append(server_parameter(value, name))
            text = match.group(0)
        if name:
            seen[name] = text
        return text

    out = substitute(sql, style, replace, edits)
    _check_complete(style, parameters, missing, value_of)
    return out, style, bound


def _element_names(name: str, count: int, taken: set[str]) -> list[str]:
    """Names for a list's elements (``a__0``, ``a__1``...) that no given parameter and no other
    list's element has: the separator grows (``a___0``) until none is taken, so they never collide."""
    separator = "__"
    while True:
        names = [f"{name}{separator}{i}" for i in range(count)]
        if taken.isdisjoint(names):
            taken.update(names)
            return names
        separator += "_"


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
