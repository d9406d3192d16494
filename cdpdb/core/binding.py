"""Placeholders and their values, for every backend: ``:name`` with a mapping (``named``) or ``?``
with a sequence (``qmark``), found outside literals and comments (:mod:`cdpdb.core.sqlscan`),
every placeholder given a value and every value used. A list, tuple or set value expands to
``(v1, v2, ...)`` for ``IN``. How a value is written is the backend's: a literal renderer, or a
bound parameter beside the SQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from cdpdb.core.sqlscan import Edit, substitute
from cdpdb.exceptions import ProgrammingError

P = TypeVar("P")
_SEQUENCES = (list, tuple, set, frozenset)


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


class _Values:
    """The value of each placeholder in order of appearance; remembers what was missing or left over."""

    def __init__(self, parameters: Any, style: str) -> None:
        self.parameters, self.style = parameters, style
        self.missing: list[str] = []
        self._positional = iter(parameters) if style == "QUESTION_MARK" else None

    def of(self, match: re.Match[str]) -> tuple[str | None, Any] | None:
        """(name, value) for the placeholder ``match``; None when no value was given for it."""
        if self._positional is None:
            name = match.group(1)
            if name not in self.parameters:
                self.missing.append(name)
                return None
            return name, self.parameters[name]
        try:
            return None, next(self._positional)
        except StopIteration:
            self.missing.append("?")
            return None

    def check_complete(self) -> None:
        if self.missing:
            names = ", ".join(sorted(set(self.missing)))
            raise ProgrammingError(
                f"the SQL has placeholders with no value: {names}"
                if self.style == "NAMED"
                else f"the SQL has more ? placeholders than the {len(self.parameters)} parameter(s) given"
            )
        if self._positional is not None and next(self._positional, _END) is not _END:
            raise ProgrammingError(f"{len(self.parameters)} parameters were given but the SQL has fewer ? placeholders")


_END = object()


def inline(sql: str, parameters: Any, literal: Callable[[Any], str], edits: list[Edit] | None = None) -> str:
    """Client-side binding: every placeholder becomes ``literal(value)`` (a list: ``(a, b, ...)``)."""
    style = style_of(parameters)
    if style is None:
        return sql
    values = _Values(parameters, style)

    def replace(match: re.Match[str]) -> str:
        found = values.of(match)
        if found is None:
            return match.group(0)
        value = found[1]
        if isinstance(value, _SEQUENCES):
            if not value:
                raise ProgrammingError("an empty list cannot be sent: IN () is not valid SQL")
            return "(" + ", ".join(literal(v) for v in value) + ")"
        return literal(value)

    out = substitute(sql, style, replace, edits)
    values.check_complete()
    return out


def server_side(
    sql: str, parameters: Any, bind: Callable[[Any, str | None], P], edits: list[Edit] | None = None
) -> tuple[str, str | None, list[P]]:
    """SQL with its placeholders kept, and ``bind(value, name)`` for each value, for APIs that take
    parameters beside the SQL. A list expands to one placeholder per element (``:a__0, :a__1``)."""
    style = style_of(parameters)
    if style is None:
        return sql, None, []
    values = _Values(parameters, style)
    bound: list[P] = []
    seen: dict[str, str] = {}
    taken = {str(name) for name in parameters} if style == "NAMED" else set()

    def replace(match: re.Match[str]) -> str:
        found = values.of(match)
        if found is None:
            return match.group(0)
        name, value = found
        if style == "NAMED" and name in seen:
            return seen[name]
        if isinstance(value, _SEQUENCES):
            if not value:
                raise ProgrammingError("an empty list cannot be sent: IN () is not valid SQL")
            names: list[str | None] = [*_element_names(name, len(value), taken)] if name else [None] * len(value)
            bound.extend(bind(item, item_name) for item, item_name in zip(value, names, strict=True))
            text = "(" + ", ".join(f":{item_name}" if item_name else "?" for item_name in names) + ")"
        else:
            bound.append(bind(value, name))
            text = match.group(0)
        if name:
            seen[name] = text
        return text

    out = substitute(sql, style, replace, edits)
    values.check_complete()
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
