"""Which dataspace a SQLAlchemy statement runs in.

A schema is a dataspace. Data Cloud's Query APIs take one dataspace per request (a header), and
Hyper knows no dataspace in SQL, so the compiler leaves tables unqualified and records their
schemas (``HyperCompiler.dataspaces``); this module turns those into the one dataspace to send
the statement to, or a clear error when there is no single one.

- unqualified tables: the ``dataspace`` execution option if given, else the connection's own;
- ``schema_translate_map`` (an execution option) applies to the recorded schemas first;
- a ``text()`` statement names no tables: the ``dataspace`` execution option, else the own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cdpdb.exceptions import NotSupportedError, ProgrammingError

#: The execution option naming the dataspace of unqualified tables (and of text() statements).
DATASPACE_OPTION = "dataspace"


def statement_dataspace(
    schemas: Iterable[str | None], options: Mapping[str, Any], own: str, writes: bool = False
) -> str | None:
    """The dataspace to run a statement in, or ``None`` for the connection's own.

    ``schemas``: the schemas of the tables the statement names (``None``: unqualified);
    ``options``: the statement's execution options; ``own``: the connection's dataspace;
    ``writes``: whether the statement changes data (which only the own dataspace takes).
    """
    unqualified = options.get(DATASPACE_OPTION) or own
    translate: Mapping[str | None, str | None] = options.get("schema_translate_map") or {}
    named = {translate.get(s, s) for s in schemas}
    spaces = {unqualified if s is None else s for s in named} or {unqualified}
    if len(spaces) > 1:
        raise ProgrammingError(
            f"one statement reads one dataspace, and this one names {len(spaces)}: "
            f"{', '.join(sorted(spaces))}. Data Cloud's Query API takes a single dataspace per query "
            "(schemas are dataspaces): query each dataspace separately and combine the results"
        )
    (space,) = spaces
    if space == own:
        return None
    if writes:
        raise NotSupportedError(
            f"writes run in the connection's own dataspace ({own!r}), not in {space!r}: connect to {space!r}"
        )
    return space
