"""SQLAlchemy 1.4 beside 2.x: the few places where the two differ, in one module.

BI tools still pin SQLAlchemy 1.4 (every Superset release so far), so the cdpdb dialects run on
1.4 (latest 1.4.x), 2.0 and 2.1 from one code base. On 2.x everything here is SQLAlchemy's own
mechanism, untouched; on 1.4 it supplies what 2.0 added and the dialects rely on:

- ``DefaultDialect``: 1.4 asks a dialect class for ``dbapi()`` (2.0: ``import_dbapi()``) and
  reads its type compiler from ``type_compiler`` (2.0: ``type_compiler_cls``);
- bind casts: 2.0 renders ``:p::TYPE`` for types with ``render_bind_cast`` when the dialect's
  ``bind_typing`` is ``RENDER_CASTS``; 1.4 has neither, so there a cast type carries a
  ``bind_expression`` (which 1.4 applies to every bind, expanding ``IN`` lists included) and
  the compiler renders it through the same ``render_bind_cast`` the 2.x path calls;
- ``Double``: 2.0's generic type; on 1.4 PostgreSQL's ``DOUBLE_PRECISION`` (the same SQL);
- ``dbapi_connection``: the DB-API connection of a SQLAlchemy connection, wherever 1.4 puts it;
- ``reflection_cache``: 1.4's ``reflection.cache`` regenerates the method's signature from
  source and cannot write postponed (string) annotations back, so it gets the method without them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import sqlalchemy
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import default, reflection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

SQLALCHEMY_VERSION: tuple[int, int] = tuple(int(p) for p in sqlalchemy.__version__.split(".")[:2])  # type: ignore[assignment]
SQLALCHEMY_2 = SQLALCHEMY_VERSION >= (2, 0)

if SQLALCHEMY_2:
    from sqlalchemy.engine.interfaces import BindTyping

    Double: type[sqltypes.Float] = sqltypes.Double
    #: The dialect's ``bind_typing``: casts rendered by SQLAlchemy itself.
    RENDER_CASTS: Any = BindTyping.RENDER_CASTS
    DefaultDialect: type[default.DefaultDialect] = default.DefaultDialect
else:
    from sqlalchemy.dialects.postgresql.base import DOUBLE_PRECISION

    Double = DOUBLE_PRECISION
    RENDER_CASTS = None  # 1.4 has no bind typing: casts come from bind_expression (below)

    class DefaultDialect(default.DefaultDialect):  # type: ignore[no-redef]
        """What 1.4 asks of a dialect class under the names 2.0 renamed."""

        @classmethod
        def dbapi(cls) -> Any:  # 2.0 warns when a dialect defines this, so only on 1.4
            return cls.import_dbapi()  # type: ignore[attr-defined]

        def __init__(self, **kwargs: Any) -> None:
            self.type_compiler = self.type_compiler_cls  # type: ignore[attr-defined]
            super().__init__(**kwargs)


def dbapi_connection(connection: Any) -> Any:
    """The DB-API connection under a SQLAlchemy ``Connection``. On 1.4 the connection that
    ``initialize()`` gets wraps the DB-API connection itself, not a pool proxy."""
    raw = connection.connection
    return getattr(raw, "dbapi_connection", raw)


_Method = TypeVar("_Method", bound=Callable[..., Any])


def reflection_cache(method: _Method) -> _Method:
    """SQLAlchemy's reflection cache (per Inspector ``info_cache``) on any supported version."""
    if SQLALCHEMY_2:
        return reflection.cache(method)  # type: ignore[no-any-return]
    annotations, method.__annotations__ = method.__annotations__, {}
    cached = reflection.cache(method)
    cached.__annotations__ = method.__annotations__ = annotations
    return cached  # type: ignore[no-any-return]


class BindCast(ColumnElement):  # type: ignore[type-arg]
    """SQLAlchemy 1.4 only: a bind parameter that the compiler may render with a cast
    (``visit_cdp_bind_cast``), as 2.0's ``render_bind_cast`` does."""

    __visit_name__ = "cdp_bind_cast"
    _traverse_internals: ClassVar[list[tuple[str, Any]]] = [
        ("bind", InternalTraversal.dp_clauseelement),
        ("type", InternalTraversal.dp_type),
    ]

    def __init__(self, bind: Any, type_: sqltypes.TypeEngine) -> None:  # type: ignore[type-arg]
        self.bind = bind
        self.type = type_

    @property
    def _from_objects(self) -> list[Any]:
        return []


def with_bind_cast(base: type[sqltypes.TypeEngine]) -> type[sqltypes.TypeEngine]:  # type: ignore[type-arg]
    """A subclass of ``base`` whose bind parameters render ``:p::TYPE``."""
    if SQLALCHEMY_2:
        return type(f"Cast{base.__name__}", (base,), {"render_bind_cast": True})

    def bind_expression(self: sqltypes.TypeEngine, bindvalue: Any) -> BindCast:  # type: ignore[type-arg]
        return BindCast(bindvalue, self)

    return type(f"Cast{base.__name__}", (base,), {"render_bind_cast": True, "bind_expression": bind_expression})


class BindCastCompiler:
    """Compiler mixin: on 1.4, renders :class:`BindCast` the way 2.0 renders a bind cast
    (never for a value rendered as a literal, which 2.0 does not cast either)."""

    if not SQLALCHEMY_2:

        def visit_cdp_bind_cast(self, element: BindCast, **kw: Any) -> str:
            bind = element.bind
            uncast = kw.get("literal_binds") or kw.get("literal_execute") or bind.literal_execute
            kw["skip_bind_expression"] = True
            text: str = self.process(bind, **kw)  # type: ignore[attr-defined]
            if uncast:
                return text
            impl = element.bind.type.dialect_impl(self.dialect)  # type: ignore[attr-defined]
            return self.render_bind_cast(element.bind.type, impl, text)  # type: ignore[attr-defined,no-any-return]

        def visit_empty_set_expr(self, element_types: Any, **kw: Any) -> str:
            # ``x IN ()`` as an empty typed subquery, as PostgreSQL's form; but 1.4 appends an
            # IN list's bind cast (``::TYPE``) to the whole of it, so it ends in a NULL, which
            # takes a cast to any type: ``... WHERE NULL IS DISTINCT FROM NULL::TYPE``.
            columns = ", ".join(
                f"CAST(NULL AS {self.dialect.type_compiler.process(sqltypes.INTEGER() if t._isnull else t)})"  # type: ignore[attr-defined]
                for t in element_types or [sqltypes.INTEGER()]
            )
            return f"SELECT {columns} WHERE NULL IS DISTINCT FROM NULL"

        def render_bind_cast(self, type_: Any, dbapi_type: Any, sqltext: str) -> str:
            # PostgreSQL's form in 2.0: ``::TYPE``, a string as VARCHAR without a length. And
            # 1.4 types every Python int as Integer whatever its size (2.0: BigInteger past 32
            # bits), so an integer is cast to BIGINT, which holds any of them.
            if dbapi_type._type_affinity is sqltypes.String and dbapi_type.length:
                dbapi_type = sqltypes.VARCHAR()
            elif isinstance(dbapi_type, sqltypes.Integer):
                dbapi_type = sqltypes.BIGINT()
            type_text = self.dialect.type_compiler.process(dbapi_type, identifier_preparer=self.preparer)  # type: ignore[attr-defined]
            return f"{sqltext}::{type_text}"
