"""Data Cloud's query parameters: server-side where the API has them (V3, Connect), strict
literals otherwise (V1/V2). Placeholders are found by :mod:`cdpdb.core.binding`; this module
knows Data Cloud's spellings and limits. A value can never become SQL: the literal renderer
accepts only known types and quotes text by doubling single quotes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cdpdb.backends.salesforce import wire
from cdpdb.core import adapt as core
from cdpdb.core import binding
from cdpdb.core.sqlscan import Edit
from cdpdb.exceptions import ProgrammingError

_SUPPORTED = "str, int, float, Decimal, bool, None, date, time, datetime, or a list/tuple/set of those"
NUMERIC_DIGITS = wire.NUMERIC_DIGITS
BIGINT_RANGE = wire.BIGINT_RANGE

LIMITS = core.Limits(
    system="Data Cloud",
    bigint=BIGINT_RANGE,
    numeric_precision=NUMERIC_DIGITS,
    numeric_scale=NUMERIC_DIGITS,
    nul_in_text=False,
)
ADAPTERS = core.Adapters(core.adapters, limits=LIMITS)
"""Python values as Data Cloud holds them: the core dumpers with Data Cloud's limits."""


@dataclass(frozen=True)
class Spelling:
    """How Data Cloud spells one kind of value: V3 parameter type, Connect parameter type, and the
    V1/V2 (Trino-like SQL) literal built from the value's exact text."""

    v3: str
    connect: str
    literal: Callable[[str], str]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _decimal_literal(text: str) -> str:
    scale = len(text.split(".", 1)[1]) if "." in text else 0  # a bare DECIMAL has scale 0: say it
    return f"CAST('{text}' AS DECIMAL({NUMERIC_DIGITS}, {scale}))"


def _double_literal(text: str) -> str:
    # A double as a string cast: a bare 0.1 is a DECIMAL in Trino, and -0.0, NaN and infinities
    # have no numeric literal at all.
    return f"CAST('{text}' AS DOUBLE)"


SPELLINGS: dict[core.Kind, Spelling] = {
    "text": Spelling("varchar", "Varchar", _quoted),
    "boolean": Spelling("boolean", "Boolean", str.upper),
    "bigint": Spelling("bigint", "BigInt", str),
    "double": Spelling("double", "Double", _double_literal),
    "numeric": Spelling("numeric", "Numeric", _decimal_literal),
    "timestamp": Spelling("timestamp", "Timestamp", lambda text: f"TIMESTAMP '{text}'"),
    "timestamptz": Spelling("timestamptz", "TimestampTZ", lambda text: f"CAST('{text}' AS TIMESTAMP WITH TIME ZONE)"),
    "date": Spelling("date", "Date", lambda text: f"DATE '{text}'"),
    "time": Spelling("time", "Time", lambda text: f"TIME '{text}'"),
}
_CONNECT_TYPES = {spelling.v3: spelling.connect for spelling in SPELLINGS.values()}


@dataclass(frozen=True)
class BoundParameter:
    """One server-side parameter: a Data Cloud type name and the value as text."""

    name: str | None
    type: str  # V3 spelling (lower case); Connect wants PascalCase, see connect_type
    value: str | None


@dataclass(frozen=True)
class Adapted:
    """A Python value as Data Cloud takes it: its kind and its exact text (None is NULL).

    The text comes from the one registry (:data:`ADAPTERS`): V3/Connect send it as the parameter
    value and V1/V2 build their literal from it (``literal``), so every API sends the same digits.
    """

    kind: core.Kind
    text: str | None

    @property
    def type(self) -> str:
        """The V3 parameter type (Connect's is ``connect_type(type)``)."""
        return SPELLINGS[self.kind].v3

    def literal(self) -> str:
        """The V1/V2 (Trino-like SQL) literal that means exactly this value."""
        if self.text is None:
            return "NULL"
        return SPELLINGS[self.kind].literal(self.text)


def adapt(value: Any) -> Adapted:
    """The kind and exact text of one parameter value; refuses what Data Cloud cannot hold."""
    dumper = ADAPTERS.get_dumper(type(value))
    if dumper is None:
        raise ProgrammingError(f"cannot send a parameter of type {type(value).__name__}; use {_SUPPORTED}")
    dumper = dumper.upgrade(value)
    return Adapted(dumper.kind, dumper.text(value))


def float_text(value: float) -> str:
    """The exact text of a float (see :func:`cdpdb.core.adapt.float_text`)."""
    return core.float_text(value)


def decimal_text(value: Decimal) -> str:
    """Plain digits with the value's own scale, after checking that Data Cloud's NUMERIC(38, scale)
    holds it (DataError otherwise): never a rounded or different number."""
    return core.decimal_text(value, LIMITS)


def server_parameter(value: Any, name: str | None = None) -> BoundParameter:
    adapted = adapt(value)
    return BoundParameter(name, adapted.type, adapted.text)


def connect_type(v3_type: str) -> str:
    return _CONNECT_TYPES[v3_type]


def render_literal(value: Any) -> str:
    """A SQL literal for V1/V2 (Trino-like SQL) that means exactly ``value``."""
    return adapt(value).literal()


def inline(sql: str, parameters: Any, edits: list[Edit] | None = None) -> str:
    """Client-side binding for V1/V2: every placeholder becomes a literal."""
    return binding.inline(sql, parameters, render_literal, edits)


def server_side(
    sql: str, parameters: Any, edits: list[Edit] | None = None
) -> tuple[str, str | None, list[BoundParameter]]:
    """SQL and parameters for V3/Connect. Lists expand to one placeholder per element."""
    return binding.server_side(sql, parameters, server_parameter, edits)
