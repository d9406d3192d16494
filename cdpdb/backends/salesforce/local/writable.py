"""Writable mode: DDL and DML through the local admin path, so that test fixtures (SQLAlchemy's
compliance suite, users' CI) can make their own tables. Data Cloud itself is read-only.

What Data Cloud's Metadata API reports and Hyper does not hold is kept in the catalog: primary
and foreign keys (Hyper enforces none) and comments (Data Cloud's display names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import psycopg
import sqlglot
from sqlglot import exp

from cdpdb.backends.salesforce.local.catalog import Catalog, Column, Entity, Relationship, entity_type_for_name
from cdpdb.core.sqlscan import substitute
from cdpdb.local.engine import EngineError, HyperEngine, engine_error

_COLUMNS_SQL = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON a.attrelid = c.oid
JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid
WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0
ORDER BY c.relname, a.attnum
"""
_COMMENT_IS_NULL = re.compile(r"^(\s*COMMENT\s+ON\s.*\s)IS\s+NULL\s*;?\s*$", re.IGNORECASE | re.DOTALL)


@dataclass
class Keys:
    """The keys a CREATE TABLE declared: Data Cloud metadata, not Hyper constraints."""

    primary: list[str] = field(default_factory=list)
    foreign: list[tuple[str, str, str]] = field(default_factory=list)  # (column, table, column)


def write(engine: HyperEngine, catalog: Catalog, dataspace: str, sql: str, parameters) -> int:
    """Run one DDL or DML statement with real bind parameters; returns the rowcount."""
    # sqlglot cannot parse ``COMMENT ON ... IS NULL``; an empty comment means the same here.
    sql = _COMMENT_IS_NULL.sub(r"\1IS ''", sql)
    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except sqlglot.errors.SqlglotError:
        tree = None  # let Hyper report the error in its own words
    keys: dict[str, Keys] = {}
    if tree is not None:
        if tree.args.get("returning") is not None:
            raise EngineError("0A000", "RETURNING is not supported: Data Cloud writes return no rows")
        kind = str(tree.args.get("kind") or "").upper()
        if isinstance(tree, exp.Comment):
            _comment(catalog, dataspace, tree)
            return 0
        if isinstance(tree, (exp.Create, exp.Drop)) and kind == "VIEW":
            raise EngineError("0A000", "Data Cloud has no views; query the objects themselves")
        if isinstance(tree, (exp.Create, exp.Drop)) and kind == "INDEX":
            return 0  # Hyper has no indexes and Data Cloud defines its own: accepted, nothing to do
        if isinstance(tree, exp.Create) and kind == "TABLE" and isinstance(tree.this, exp.Schema):
            keys = {tree.this.this.name: _take_keys(tree.this)}
            sql = tree.sql(dialect="postgres")
    with engine.connection(dataspace) as conn:
        try:
            cursor = conn.execute(_psycopg_placeholders(sql, parameters), parameters or None)
        except psycopg.Error as exc:
            raise engine_error(exc, offset=0) from None
        rowcount = cursor.rowcount
    if not isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):  # rows change no metadata
        sync_catalog(engine, catalog, dataspace, keys)
    return rowcount


def _psycopg_placeholders(sql: str, parameters) -> str:
    if not parameters:
        return sql
    if isinstance(parameters, dict):
        return substitute(sql.replace("%", "%%"), "NAMED", lambda m: f"%({m.group(1)})s")
    return substitute(sql.replace("%", "%%"), "QUESTION_MARK", lambda m: "%s")


def _take_keys(schema: exp.Schema) -> Keys:
    """Remove PRIMARY KEY, FOREIGN KEY, UNIQUE and CHECK from a CREATE TABLE (Hyper rejects
    them: "index support is disabled") and return the keys, named constraints included."""
    keys = Keys()
    for item in list(schema.expressions):
        inner = item.expressions[0] if isinstance(item, exp.Constraint) and item.expressions else item
        if isinstance(inner, exp.PrimaryKey):
            keys.primary += [c.name for c in inner.expressions]
        elif isinstance(inner, exp.ForeignKey):
            reference = inner.args.get("reference")
            target = reference.this if reference is not None else None
            if isinstance(target, exp.Schema):
                keys.foreign += [
                    (mine.name, target.this.name, theirs.name)
                    for mine, theirs in zip(inner.expressions, target.expressions, strict=False)
                ]
        elif isinstance(item, exp.ColumnDef):
            for constraint in list(item.args.get("constraints") or []):
                column_kind = constraint.args.get("kind")
                if isinstance(column_kind, exp.PrimaryKeyColumnConstraint):
                    keys.primary.append(item.name)
                    constraint.pop()
                elif isinstance(column_kind, (exp.UniqueColumnConstraint, exp.Reference, exp.CheckColumnConstraint)):
                    constraint.pop()
            continue
        item.pop()
    return keys


def _comment(catalog: Catalog, dataspace: str, tree: exp.Comment) -> None:
    """COMMENT ON TABLE/COLUMN sets the display name, which the Metadata API reports."""
    target = tree.this
    text = tree.expression.this if isinstance(tree.expression, exp.Literal) else None
    kind = str(tree.args.get("kind") or "").upper()
    table_name = target.name if kind == "TABLE" else target.table
    entity = catalog.get(table_name, dataspace)
    if entity is None:
        raise EngineError("42P01", f"table {table_name!r} does not exist")
    if kind == "TABLE":
        catalog.add(replace(entity, display_name=text or entity.name))
        return
    try:
        column = entity.column(target.name)
    except KeyError:
        raise EngineError("42703", f"column {target.name!r} does not exist in {table_name!r}") from None
    columns = tuple(replace(c, display_name=text or c.name) if c is column else c for c in entity.columns)
    catalog.add(replace(entity, columns=columns))


def sync_catalog(engine: HyperEngine, catalog: Catalog, dataspace: str, keys: dict[str, Keys]) -> None:
    """Register tables created through the admin path, typed from Hyper's own catalog; forget
    dropped ones."""
    described: dict[str, list[Column]] = {}
    rows = engine.query_arrow(dataspace, _COLUMNS_SQL).to_pylist()
    for row in rows:
        table, name, sql_type, not_null = row.values()
        described.setdefault(table, []).append(Column(name, sql_type, display_name=name, nullable=not not_null))
    for entity in catalog.visible(dataspace):
        if entity.name not in described:
            catalog.remove(entity.name, dataspace)
    known = {e.name for e in catalog.visible(dataspace)}
    for table in described.keys() - known:
        declared = keys.get(table, Keys())
        catalog.add(
            Entity(
                table,
                entity_type_for_name(table),
                None,
                tuple(described[table]),
                tuple(declared.primary),
                tuple(Relationship(table, other, mine, theirs) for mine, other, theirs in declared.foreign),
                display_name=table,
                dataspaces=frozenset({dataspace}),
            )
        )
