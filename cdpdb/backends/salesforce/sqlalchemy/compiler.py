"""SQL compilation: Hyper (PostgreSQL-style) SQL for V3 and Connect, Trino-like SQL for V1/V2.

Hyper folds unquoted identifiers to lower case and Data Cloud names are mixed case, so the
PostgreSQL identifier rules (quote anything that is not lower case) are exactly right.
"""

from __future__ import annotations

import re

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql.base import PGCompiler, PGIdentifierPreparer, PGTypeCompiler
from sqlalchemy.sql.compiler import GenericTypeCompiler
from sqlalchemy.sql.elements import Cast

_PLAIN_BIND_NAME = re.compile(r"[^\W\d]\w*")


class HyperCompiler(PGCompiler):
    def bindparam_string(self, name, **kw):
        # The driver's named placeholders are ``:identifier``; any other name (``1param``,
        # ``q?marks``, ``more/slashes``) is renamed here and mapped back by SQLAlchemy.
        if not kw.get("escaped_from") and not _PLAIN_BIND_NAME.fullmatch(name):
            kw["escaped_from"] = name
            name = "p_" + re.sub(r"\W", lambda m: f"_{ord(m.group()):x}_", name)
        return super().bindparam_string(name, **kw)

    def render_bind_cast(self, type_, dbapi_type, sqltext):
        # Hyper types a parameter from its value, and a NULL has none: the cast gives the
        # parameter the column's type. V1/V2 receive literals, typed already.
        if self.dialect.legacy_sql or _is_bare_numeric(dbapi_type):
            return sqltext
        return super().render_bind_cast(type_, dbapi_type, sqltext)

    def visit_truediv_binary(self, binary, operator, **kw):
        # Hyper divides integers as integers, so an integer (or untyped) divisor is cast; but a
        # bare NUMERIC there would round it to a whole number (Hyper's NUMERIC has scale 0), so the
        # cast is to NUMERIC(38, the dividend's scale) for an exact dividend, else DOUBLE PRECISION.
        left, right = binary.left.type, binary.right.type
        divisor = binary.right
        if right._type_affinity not in (sqltypes.Numeric, sqltypes.Float):
            exact = left._type_affinity is sqltypes.Numeric and not _is_bare_numeric(left)
            divisor = Cast(binary.right, sqltypes.Numeric(38, left.scale) if exact else sqltypes.Double())
        return self.process(binary.left, **kw) + " / " + self.process(divisor, **kw)

    def visit_empty_set_op_expr(self, type_, expand_op, **kw):
        # ``x IN ()``: the default ``IN (NULL)`` leaves Hyper a NULL it cannot type; an empty
        # typed subquery has the same meaning for IN and NOT IN.
        return self.visit_empty_set_expr(type_)

    def limit_clause(self, select, **kw):
        # Hyper wants LIMIT and OFFSET as literal integers (a parameter there is a syntax error);
        # literal_execute renders them at execution time, so the statement cache still works.
        kw["literal_execute"] = True
        limit = offset = ""
        if select._limit_clause is not None:
            limit = "\n LIMIT " + self.process(select._limit_clause, **kw)
        if select._offset_clause is not None:
            offset = "\n OFFSET " + self.process(select._offset_clause, **kw)
        # The V1/V2 grammar puts OFFSET before LIMIT.
        return offset + limit if self.dialect.legacy_sql else limit + offset

    def render_literal_value(self, value, type_):
        # ``limit(bindparam("n"))`` has no type, and an untyped value has no literal form.
        if type_._isnull and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return super().render_literal_value(value, type_)

    def fetch_clause(self, select, **kw):
        kw["literal_execute"] = True  # as LIMIT: Hyper takes integer constants only
        return super().fetch_clause(select, **kw)

    def for_update_clause(self, select, **kw):
        return ""  # read-only: there is nothing to lock


def _is_bare_numeric(type_) -> bool:
    """Hyper's bare NUMERIC has a fixed scale: casting to it would round the value."""
    return isinstance(type_, sqltypes.Numeric) and not isinstance(type_, sqltypes.Float) and type_.precision is None


class HyperTypeCompiler(PGTypeCompiler):
    def visit_uuid(self, type_, **kw):
        # PostgreSQL's compiler always says UUID; Data Cloud has no such type, so CHAR(32).
        return GenericTypeCompiler.visit_uuid(self, type_, **kw)


class HyperIdentifierPreparer(PGIdentifierPreparer):
    pass
