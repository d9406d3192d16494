"""Trino SQL → the DuckDB SQL the local Treasure Data runs, with sqlglot.

Besides the dialect: only one read-only statement (TD's Trino endpoint writes too, the local one
does not); the catalog ``td-presto`` (or none) and the parent segments' databases
(``cdp_audience_<id>``) only; and ``current_timestamp`` pinned to the dataset's day when the
server's clock is frozen, so the SQL of a rule with "the last 30 days" selects on this endpoint
the same profiles as the Audience API's segment query does.
"""

from __future__ import annotations

from datetime import datetime

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.local.trinoproto import TrinoError

_READS = (exp.Select, exp.Union, exp.Intersect, exp.Except)


def to_duckdb(sql: str, tables: dict[str, set[str]], schema: str, now: datetime | None) -> str:
    """The statement in DuckDB's dialect, or :class:`TrinoError` saying why it cannot run here.
    ``tables`` lists each database's tables (so that a missing one is TABLE_NOT_FOUND, told
    apart from an unknown function); ``schema`` is the session's (``X-Trino-Schema``)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="trino") if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        line, column = first.get("line") or 1, first.get("col") or 1
        what = first.get("description") or "cannot parse the statement"
        raise TrinoError("SYNTAX_ERROR", f"line {line}:{column}: {what}", line, column) from None
    if len(statements) != 1:
        raise TrinoError("SYNTAX_ERROR", f"expected one statement, got {len(statements)}")
    tree = statements[0]
    query = tree.this if isinstance(tree, exp.With) else tree
    if not isinstance(query, _READS):
        kind = type(query).__name__.upper()
        raise TrinoError("NOT_SUPPORTED", f"the local Treasure Data's Trino endpoint only reads (SELECT), not {kind}")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        _check_table(table, tables, schema, ctes)
    if now is not None:
        pinned = exp.cast(exp.Literal.string(now.isoformat()), exp.DataType.build("timestamptz"))
        tree = tree.transform(lambda node: pinned.copy() if isinstance(node, exp.CurrentTimestamp) else node)
    return tree.sql(dialect="duckdb")


def _check_table(table: exp.Table, tables: dict[str, set[str]], session_schema: str, ctes: set[str]) -> None:
    catalog, schema = table.catalog, table.db
    if catalog:
        if catalog != wire.TRINO_CATALOG:
            raise TrinoError(
                "CATALOG_NOT_FOUND", f"Catalog '{catalog}' not found (this endpoint has {wire.TRINO_CATALOG})"
            )
        table.set("catalog", None)
    if not schema and table.name in ctes:
        return
    schema = schema or session_schema
    if schema not in tables:
        raise TrinoError(
            "SCHEMA_NOT_FOUND",
            f"Schema '{schema}' does not exist; the local Treasure Data serves its parent segments' "
            f"databases: {', '.join(sorted(tables))}",
        )
    if table.name not in tables[schema]:
        raise TrinoError("TABLE_NOT_FOUND", f"Table '{wire.TRINO_CATALOG}.{schema}.{table.name}' does not exist")
