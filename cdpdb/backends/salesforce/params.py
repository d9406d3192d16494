"""Query parameters: server-side where the API has them (V3, Connect), strict literals otherwise.

``paramstyle`` is ``named`` (``:name`` with a mapping); ``qmark`` (``?`` with a sequence) works
too. A list, tuple or set value expands to ``(v1, v2, ...)`` for ``IN``. On V1/V2, values are
rendered as SQL literals by a renderer that accepts only known types and quotes text by doubling
single quotes, so a value can never become SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cdpdb.backends.salesforce import wire
from cdpdb.core import adapt as core
from cdpdb.core.sqlscan import Edit, substitute
from cdpdb.exceptions import ProgrammingError

_SEQUENCES = (list, tuple, set, frozenset)
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
