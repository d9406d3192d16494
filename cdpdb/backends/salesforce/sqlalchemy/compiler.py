"""SQL compilation: Hyper (PostgreSQL-style) SQL for V3 and Connect, Trino-like SQL for V1/V2.

Hyper folds unquoted identifiers to lower case and Data Cloud names are mixed case, so the
PostgreSQL identifier rules (quote anything that is not lower case) are exactly right.

A SQLAlchemy schema is a Data Cloud dataspace, and a dataspace is no schema to Hyper (it
rejects ``"default"."x"``: the dataspace is chosen per request, not in SQL). So table names are
never qualified (system catalogs aside), and the compiler records which dataspaces a statement
reads (:attr:`HyperCompiler.dataspaces`); the dialect sends the statement to that dataspace.
"""

from __future__ import annotations

import re

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql.base import PGCompiler, PGIdentifierPreparer, PGTypeCompiler
from sqlalchemy.sql.compiler import GenericTypeCompiler
from sqlalchemy.sql.elements import Cast

from cdpdb.sqlalchemy.compat import BindCastCompiler, Double

_PLAIN_BIND_NAME = re.compile(r"[^\W\d]\w*")

#: Schemas that are Hyper's own catalogs, not dataspaces: these keep their qualifier.
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})


class HyperCompiler(BindCastCompiler, PGCompiler):
    def __init__(self, *args, **kwargs) -> None:
        #: The schemas (dataspaces) of the tables the statement names; None: unqualified.
        self.dataspaces: set[str | None] = set()
        super().__init__(*args, **kwargs)

    def _uses(self, table) -> None:
        schema = getattr(table, "schema", None)
        if schema not in SYSTEM_SCHEMAS:
            self.dataspaces.add(schema)

    def visit_table(self, table, **kw):
        self._uses(table)
        return super().visit_table(table, **kw)

    def visit_insert(self, insert_stmt, **kw):
        self._uses(insert_stmt.table)
        return super().visit_insert(insert_stmt, **kw)

    def visit_update(self, update_stmt, **kw):
        self._uses(update_stmt.table)
        return super().visit_update(update_stmt, **kw)

    def visit_delete(self, delete_stmt, **kw):
        self._uses(delete_stmt.table)
        return super().visit_delete(delete_stmt, **kw)

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
            # (a Float is no exact dividend: SQLAlchemy 2.0 gives it Numeric's affinity, 2.1 its own)
            exact = _is_exact(left) and not _is_bare_numeric(left)
            divisor = Cast(binary.right, sqltypes.Numeric(38, left.scale) if exact else Double())
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


def _is_exact(type_) -> bool:
    return type_._type_affinity is sqltypes.Numeric and not isinstance(type_, sqltypes.Float)


def _is_bare_numeric(type_) -> bool:
    """Hyper's bare NUMERIC has a fixed scale: casting to it would round the value."""
    return isinstance(type_, sqltypes.Numeric) and not isinstance(type_, sqltypes.Float) and type_.precision is None


class HyperTypeCompiler(PGTypeCompiler):
    def visit_FLOAT(self, type_, **kw):
        # Hyper's floats are all 64-bit: FLOAT(p) with p <= 24 (a REAL) is "not supported".
        return "FLOAT"

    def visit_uuid(self, type_, **kw):
        # PostgreSQL's compiler always says UUID; Data Cloud has no such type, so CHAR(32).
        return GenericTypeCompiler.visit_uuid(self, type_, **kw)


def _schema_for_object(obj) -> str | None:
    """The qualifier rendered for a table: none for a dataspace (see the module docstring)."""
    schema = obj.schema
    return schema if schema in SYSTEM_SCHEMAS else None


class HyperIdentifierPreparer(PGIdentifierPreparer):
    schema_for_object = staticmethod(_schema_for_object)

    def _with_schema_translate(self, schema_translate_map):
        # Dataspaces are never rendered, so there is nothing to translate in the SQL text; the
        # dialect applies the map when it picks the statement's dataspace.
        return self
