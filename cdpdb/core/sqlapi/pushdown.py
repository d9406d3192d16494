"""Which parts of a statement each table's API can apply: columns, predicates, order, limit.

Pushdown is an optimisation and a way to meet what an API requires (an identity to look up, a
time range); it is never trusted for correctness: DuckDB evaluates the whole statement again
over what the scans return. So a predicate is pushed only where removing the rows it rejects
cannot change the statement's result: from the WHERE conjuncts of the SELECT that reads the
table, unless the table is on the null-filled side of an outer join. Order and limit are pushed
only for a plain filtered read of one table whose every filter the API applied exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlglot import exp

from cdpdb.core.sqlapi.tables import (
    BETWEEN,
    CONTAINS,
    EQ,
    GE,
    GT,
    IN,
    IS_NOT_NULL,
    IS_NULL,
    LE,
    LIKE,
    LT,
    NE,
    NOT_IN,
    NOT_LIKE,
    REGEXP,
    Order,
    Predicate,
    Table,
)

_COMPARISON = {exp.EQ: EQ, exp.NEQ: NE, exp.LT: LT, exp.LTE: LE, exp.GT: GT, exp.GTE: GE}
_FLIPPED = {EQ: EQ, NE: NE, LT: GT, LE: GE, GT: LT, GE: LE}
_AGGREGATING = (exp.AggFunc, exp.Window)


class NotALiteral(Exception):
    """The expression is not a constant the API could be given."""


@dataclass
class TableUse:
    """One reference to a declared table in a statement, and what its scan may be asked."""

    node: exp.Table
    table: Table
    alias: str
    columns: set[str] | None = None  # None: every column
    predicates: list[Predicate] = field(default_factory=list)
    order: list[Order] = field(default_factory=list)
    limit: int | None = None
    exact: bool = False  # every WHERE conjunct was pushed whole (order and limit may follow)


def table_uses(statement: exp.Expr, tables: Mapping[str, Table]) -> list[TableUse]:
    """Every reference to a declared table (CTE names shadow tables), with its pushdown."""
    ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    uses = []
    for node in statement.find_all(exp.Table):
        if node.args.get("db") or node.name.lower() in ctes or not isinstance(node.this, exp.Identifier):
            continue
        table = _lookup(tables, node.name)
        if table is None:
            continue
        use = TableUse(node, table, node.alias_or_name)
        select = node.find_ancestor(exp.Select)
        use.columns = _columns(statement, use)
        if isinstance(select, exp.Select) and not _null_filled(node, select):
            _push_predicates(use, select)
            _push_order_and_limit(use, select, statement)
        uses.append(use)
    return uses


def _lookup(tables: Mapping[str, Table], name: str) -> Table | None:
    if name in tables:
        return tables[name]
    folded = [t for key, t in tables.items() if key.lower() == name.lower()]
    return folded[0] if len(folded) == 1 else None


def _columns(statement: exp.Expr, use: TableUse) -> set[str] | None:
    """The columns of ``use`` the statement mentions (qualified by its alias, or unqualified: a
    superset is harmless); None when it needs them all (``*``)."""
    for star in statement.find_all(exp.Star):
        parent = star.parent
        qualifier = parent.table if isinstance(parent, exp.Column) else ""
        if not qualifier or qualifier == use.alias:
            return None
    names = {f.name.lower(): f.name for f in use.table.fields}
    wanted: set[str] = set()
    for column in statement.find_all(exp.Column):
        if column.name.lower() in names and column.table in ("", use.alias):
            wanted.add(names[column.name.lower()])
    if not wanted:
        wanted.add(use.table.fields[0].name)  # COUNT(*) and the like still need the rows
    return wanted


def _sources(select: exp.Select) -> int:
    from_ = select.args.get("from_") or select.args.get("from")
    joins = select.args.get("joins") or []
    return (1 if from_ is not None else 0) + len(joins)


def _null_filled(node: exp.Table, select: exp.Select) -> bool:
    """Whether ``node`` may be null-filled by an outer join of ``select`` (its rows then cannot be
    filtered before the join without changing which rows the join null-fills)."""
    joins = select.args.get("joins") or []
    for join in joins:
        side = (join.args.get("side") or "").upper()
        joined_here = join.this is node or node in join.this.find_all(exp.Table)
        if side == "FULL" or (side == "LEFT" and joined_here) or (side == "RIGHT" and not joined_here):
            return True
    return False


def _conjuncts(condition: exp.Expr) -> Iterator[exp.Expr]:
    if isinstance(condition, exp.And):
        yield from _conjuncts(condition.left)
        yield from _conjuncts(condition.right)
    elif isinstance(condition, exp.Paren):
        yield from _conjuncts(condition.this)
    else:
        yield condition


def _push_predicates(use: TableUse, select: exp.Select) -> None:
    where = select.args.get("where")
    if where is None:
        return
    single = _sources(select) == 1
    use.exact = True
    for conjunct in _conjuncts(where.this):
        implied = _predicates(conjunct, use, single)
        accepted = [p for p in implied if use.table.accepts(p)]
        use.predicates.extend(accepted)
        use.exact = use.exact and bool(implied) and len(accepted) == len(implied)


def _predicates(node: exp.Expr, use: TableUse, single: bool) -> list[Predicate]:
    """The predicates one WHERE conjunct implies (all of them together: the conjunct itself)."""
    elements = _list_elements(node, use, single)
    if elements is not None:
        column, values = elements
        return [Predicate(column, CONTAINS, value) for value in values]
    predicate = _predicate(node, use, single)
    return [predicate] if predicate is not None else []


def _list_elements(node: exp.Expr, use: TableUse, single: bool) -> tuple[str, list[Any]] | None:
    """(list column, elements it must hold) for ``list_contains(col, v)`` and its spellings,
    ``v = ANY(col)`` and ``col @> [v, ...]`` / ``array_has_all(col, [...])``; None for anything
    else, a negation included (NOT, like OR, is never pushed: the API filters only for "holds").
    A NULL element is not pushed: the condition is then NULL, which no API filter means."""
    column: str | None = None
    candidates: list[exp.Expr] = []
    if isinstance(node, exp.ArrayContains):
        column, candidates = _column_of(node.this, use, single), [node.expression]
    elif isinstance(node, exp.ArrayContainsAll) and isinstance(node.expression, exp.Array):
        column, candidates = _column_of(node.this, use, single), list(node.expression.expressions)
    elif isinstance(node, exp.EQ) and isinstance(node.right, exp.Any) and not node.right.find(exp.Query):
        inner = node.right.this.this if isinstance(node.right.this, exp.Paren) else node.right.this
        column, candidates = _column_of(inner, use, single), [node.left]  # DuckDB has no ANY(col) = v
    if column is None or not candidates:
        return None
    try:
        values = [literal(candidate) for candidate in candidates]
    except NotALiteral:
        return None
    return None if any(value is None for value in values) else (column, values)


def _column_of(node: exp.Expr, use: TableUse, single: bool) -> str | None:
    """The field name ``node`` refers to, if it is a column of ``use``'s table."""
    if not isinstance(node, exp.Column):
        return None
    if node.table and node.table != use.alias:
        return None
    if not node.table and not single:
        return None  # unqualified in a join: leave it to DuckDB
    field = next((f for f in use.table.fields if f.name.lower() == node.name.lower()), None)
    if field is None or (node.this.args.get("quoted") and field.name != node.name):
        return None
    return field.name


def _predicate(node: exp.Expr, use: TableUse, single: bool) -> Predicate | None:
    negated = isinstance(node, exp.Not)
    inner = node.this if negated else node
    if inner.args.get("negate"):  # sqlglot writes some negations on the node (x NOT LIKE y)
        negated = not negated
    try:
        for kind, op in _COMPARISON.items():
            if isinstance(inner, kind) and not negated:
                if (column := _column_of(inner.left, use, single)) is not None:
                    return Predicate(column, op, literal(inner.right))
                if (column := _column_of(inner.right, use, single)) is not None:
                    return Predicate(column, _FLIPPED[op], literal(inner.left))
                return None
        if isinstance(inner, exp.In) and not inner.args.get("query"):
            column = _column_of(inner.this, use, single)
            values = tuple(literal(v) for v in inner.expressions)
            return Predicate(column, NOT_IN if negated else IN, values) if column else None
        if isinstance(inner, exp.Between) and not negated:
            column = _column_of(inner.this, use, single)
            bounds = (literal(inner.args["low"]), literal(inner.args["high"]))
            return Predicate(column, BETWEEN, bounds) if column else None
        if isinstance(inner, exp.Is) and isinstance(inner.expression, exp.Null):
            column = _column_of(inner.this, use, single)
            return Predicate(column, IS_NOT_NULL if negated else IS_NULL) if column else None
        if isinstance(inner, exp.Like):
            column = _column_of(inner.this, use, single)
            pattern = literal(inner.expression)
            if column is None or not isinstance(pattern, str):
                return None
            return Predicate(column, NOT_LIKE if negated else LIKE, pattern)
        if isinstance(inner, exp.RegexpLike) and not negated:
            column = _column_of(inner.this, use, single)
            pattern = literal(inner.expression)
            return Predicate(column, REGEXP, pattern) if column and isinstance(pattern, str) else None
    except NotALiteral:
        return None
    return None


def literal(node: exp.Expr) -> Any:
    """The Python value of a constant expression; NotALiteral for anything else."""
    if isinstance(node, exp.Paren):
        return literal(node.this)
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Neg):
        value = literal(node.this)
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return -value
        raise NotALiteral
    if isinstance(node, exp.Literal):
        text = str(node.this)
        if node.is_string:
            return text
        try:
            return int(text)
        except ValueError:
            return Decimal(text)
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.this.is_string:
        text, to = str(node.this.this), node.to.this
        if to == exp.DataType.Type.DATE:
            return dt.date.fromisoformat(text)
        if to in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ, exp.DataType.Type.DATETIME):
            return dt.datetime.fromisoformat(text)
        if to == exp.DataType.Type.TIMESTAMPTZ:
            value = dt.datetime.fromisoformat(text)
            return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    raise NotALiteral


def _push_order_and_limit(use: TableUse, select: exp.Select, statement: exp.Expr) -> None:
    """ORDER BY and LIMIT go to the API only for ``SELECT cols FROM t WHERE <all pushed> ...``."""
    if statement is not select or _sources(select) != 1:
        return
    if any(select.args.get(k) for k in ("group", "having", "distinct", "qualify")):
        return
    if any(node for projection in select.expressions for node in projection.find_all(*_AGGREGATING)):
        return
    if select.args.get("where") is not None and not use.exact:
        return  # a filter the API did not apply: its first N rows are not the statement's first N
    order = select.args.get("order")
    if order is not None:
        terms = []
        for ordered in order.expressions:
            column = _column_of(ordered.this, use, True)
            if column is None or not use.table.can_order(column) or ordered.args.get("nulls_first"):
                return  # a table that orders puts NULLs last, as DuckDB does by default
            terms.append(Order(column, bool(ordered.args.get("desc"))))
        use.order = terms
    limit = select.args.get("limit")
    if limit is not None and use.table.limits:
        try:
            count = literal(limit.expression)
            offset_node = select.args.get("offset")
            offset = literal(offset_node.expression) if offset_node is not None else 0
        except NotALiteral:
            return
        if isinstance(count, int) and isinstance(offset, int):
            use.limit = count + offset
