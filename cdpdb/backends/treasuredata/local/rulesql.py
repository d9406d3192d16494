"""A segment rule compiled to SQL over a parent segment's tables, in two dialects: Trino (the SQL
``POST /segments/query`` returns, as TD would run it on its Trino endpoint) and DuckDB (what the
local server runs). One compiler, so the SQL shown and the SQL evaluated say the same thing.

Tables follow TD's layout: database ``cdp_audience_<id>`` with ``customers`` (one row per profile,
one column per attribute, key ``cdp_customer_id``) and ``behavior_<name>`` (one row per event,
``cdp_customer_id`` and TD's ``time``, unix seconds). Choices TD does not document are marked
UNCONFIRMED in docs/local-treasuredata.md: ``exclude`` keeps profiles whose value is NULL, ``not``
does not; an array condition without ``arrayMatching`` means ``any``; ``all`` is false for an empty
array; IsNull on an array is true for NULL and for an empty array; Sum and Count of no events are 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from cdpdb.backends.treasuredata import rules, wire
from cdpdb.backends.treasuredata.rules import RuleError
from cdpdb.local.sqlengine import quote_ident, quote_literal

KEY = wire.PROFILE_KEY
TIME = wire.EVENT_TIME  # a behaviour row's unix time in seconds, as in TD's tables
ARRAY_TYPES = {"string_array": "string", "number_array": "number"}
_SECONDS = {"day": 86_400, "hour": 3_600, "minute": 60, "second": 1}


class UnsupportedRule(RuleError):
    """A rule that is valid JSON but that this server cannot evaluate (an unknown attribute, an
    operator the attribute's type does not take, a part cdpdb keeps opaque): HTTP 422."""


@dataclass(frozen=True)
class Behavior:
    name: str
    table: str
    columns: Mapping[str, str]  # column → TD type


@dataclass(frozen=True)
class Catalog:
    """What a rule may name in one parent segment: attributes (name → TD type) and behaviours."""

    database: str
    attributes: Mapping[str, str]
    behaviors: Mapping[str, Behavior] = field(default_factory=dict)


class Dialect:
    """The pieces of SQL that differ between engines."""

    name = ""

    @property
    def pinned_now(self) -> datetime | None:
        """The pinned "now" (None: the real clock); the Trino endpoint pins its SQL to it too."""
        return None

    def now(self) -> str:
        return "current_timestamp"

    def regexp(self, value: str, pattern: str) -> str:
        raise NotImplementedError

    def matching(self, array: str, var: str, condition: str) -> str:
        """How many elements of ``array`` satisfy ``condition`` (written over ``var``)."""
        raise NotImplementedError

    def length(self, array: str) -> str:
        raise NotImplementedError

    def timestamp(self, iso: str) -> str:
        raise NotImplementedError

    def epoch(self, timestamp: str) -> str:
        raise NotImplementedError

    def interval(self, amount: float, unit: str) -> str:
        if unit == "week":
            amount, unit = amount * 7, "day"
        elif unit == "quarter":
            amount, unit = amount * 3, "month"
        return f"interval '{_number_text(amount)}' {unit}"


class TrinoDialect(Dialect):
    name = "trino"

    def regexp(self, value: str, pattern: str) -> str:
        return f"regexp_like({value}, {pattern})"

    def matching(self, array: str, var: str, condition: str) -> str:
        return f"cardinality(filter({array}, {var} -> {condition}))"

    def length(self, array: str) -> str:
        return f"cardinality({array})"

    def timestamp(self, iso: str) -> str:
        return f"from_iso8601_timestamp({quote_literal(iso)})"

    def epoch(self, timestamp: str) -> str:
        return f"to_unixtime({timestamp})"


class DuckDialect(Dialect):
    """DuckDB; ``now`` may be pinned (the local server pins it to its dataset's day, so sliding
    windows select the same profiles on every run)."""

    name = "duckdb"

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now

    @property
    def pinned_now(self) -> datetime | None:
        return self._now

    def now(self) -> str:
        return self.timestamp(self._now.isoformat()) if self._now else "current_timestamp"

    def regexp(self, value: str, pattern: str) -> str:
        return f"regexp_matches({value}, {pattern})"

    def matching(self, array: str, var: str, condition: str) -> str:
        return f"len(list_filter({array}, lambda {var}: {condition}))"

    def length(self, array: str) -> str:
        return f"len({array})"

    def timestamp(self, iso: str) -> str:
        return f"CAST({quote_literal(iso)} AS TIMESTAMPTZ)"

    def epoch(self, timestamp: str) -> str:
        return f"epoch({timestamp})"


TRINO = TrinoDialect()

#: Finds a saved segment's rule by id for ``Reference`` conditions (None: no such segment).
Resolver = Callable[[str], "rules.Rule | None"]


@dataclass
class _Context:
    catalog: Catalog
    dialect: Dialect
    resolve: Resolver | None
    seen: tuple[str, ...] = ()  # references being expanded (a cycle is an error)
    alias: str = "a"  # of the customers table (a referenced segment's is r1, r2, ...)


def segment_sql(
    rule: rules.Rule | None,
    catalog: Catalog,
    dialect: Dialect = TRINO,
    *,
    columns: list[str] | None = None,
    resolve: Resolver | None = None,
    _seen: tuple[str, ...] = (),
) -> str:
    """``select`` the profiles ``rule`` selects (every profile for ``None``), with ``columns`` (all: ``a.*``)."""
    ctx = _Context(catalog, dialect, resolve, _seen, f"r{len(_seen)}" if _seen else "a")
    a = ctx.alias
    for i, name in enumerate(columns or ()):
        if name != KEY and name not in catalog.attributes:
            raise UnsupportedRule(f"columns[{i}]", f"{name!r} is not an attribute of this parent segment")
    select = ",\n  ".join(f"{a}.{quote_ident(c)}" for c in columns) if columns else f"{a}.*"
    table = f"{quote_ident(catalog.database)}.{quote_ident(wire.CUSTOMERS_TABLE)} {a}"
    where = _group(ctx, rule.group, "") if rule and rule.conditions else None
    body = f"select\n  {select}\nfrom {table}\n" + (f"where (\n  {where}\n)\n" if where else "")
    if rule is None or rule.limit is None:
        return body
    return _limited(ctx, body, select, rule.limit)


def _limited(ctx: _Context, body: str, select: str, limit: rules.Limit) -> str:
    order = []
    for i, item in enumerate(limit.order_columns):
        kind = ctx.catalog.attributes.get(item.column)
        if kind is None or kind in ARRAY_TYPES:
            where = f"limit.orderColumns[{i}].column"
            raise UnsupportedRule(where, f"{item.column!r} is not a scalar attribute to order by")
        direction = "desc" if item.order == "descending" else "asc"
        order.append(f"{ctx.alias}.{quote_ident(item.column)} {direction} nulls last")
    order.append(f"{ctx.alias}.{quote_ident(KEY)} asc")  # ties broken by the key: the same profiles every time
    order_by = ", ".join(order)
    if limit.type == "Count":
        return f"{body}order by {order_by}\nlimit {int(limit.number)}\n"
    # Percent: rank the matching profiles and keep the first ceil(n% of them).
    ranked = body.replace(
        f"select\n  {select}\n",
        f"select\n  {select},\n  row_number() over (order by {order_by}) as cdpdb_rank,\n"
        "  count(*) over () as cdpdb_total\n",
        1,
    )
    outer = select.replace(f"{ctx.alias}.", "p.")
    if outer == "p.*":
        names = ", ".join(f"p.{quote_ident(c)}" for c in (KEY, *ctx.catalog.attributes))
        outer = names
    fraction = _number_text(limit.number / 100)
    return (
        f"select\n  {outer}\nfrom (\n{ranked}) p\n"
        f"where p.cdpdb_rank <= ceil(p.cdpdb_total * {fraction})\norder by p.cdpdb_rank\n"
    )


def _group(ctx: _Context, group: rules.Group, path: str) -> str:
    items = [
        _condition(ctx, c, f"{path}.conditions[{i}]" if path else f"conditions[{i}]")
        for i, c in enumerate(group.conditions)
    ]
    if not items:
        return "true"  # UNCONFIRMED: an empty group selects everyone
    if group.type == "Composite":
        assert group.expr is not None
        return _composite(rules.parse_expr(group.expr, len(items)), items)
    if len(items) == 1:
        return items[0]  # as TD writes it: no parentheses around a lone condition
    joiner = "\n  and " if group.type == "And" else "\n  or "
    return "(" + joiner.join(items) + ")"


def _composite(tree: rules.Expr, items: list[str]) -> str:
    if isinstance(tree, int):
        return items[tree - 1]
    op, operands = tree
    if op == "not":
        return f"(not {_composite(operands[0], items)})"
    return "(" + f" {op} ".join(_composite(o, items) for o in operands) + ")"


def _condition(ctx: _Context, cond: rules.Condition, path: str) -> str:
    if isinstance(cond, rules.Group):
        return _group(ctx, cond, path)
    if isinstance(cond, rules.Reference):
        return _reference(ctx, cond, path)
    if isinstance(cond, rules.Opaque):
        raise UnsupportedRule(f"{path}.type", f"{cond.kind} conditions are not supported by the local server")
    return _value(ctx, cond, path)


def _reference(ctx: _Context, ref: rules.Reference, path: str) -> str:
    if ctx.resolve is None:
        raise UnsupportedRule(f"{path}.id", "segment references cannot be resolved here")
    if ref.id in ctx.seen:
        raise UnsupportedRule(f"{path}.id", f"segment {ref.id} refers to itself through its references")
    target = ctx.resolve(ref.id)
    if target is None:
        raise UnsupportedRule(f"{path}.id", f"segment {ref.id} does not exist in this parent segment")
    inner = segment_sql(target, ctx.catalog, ctx.dialect, columns=[KEY], resolve=ctx.resolve, _seen=(*ctx.seen, ref.id))
    inner = inner.rstrip().replace("\n", "\n    ")
    test = f"{ctx.alias}.{quote_ident(KEY)} in (\n    {inner}\n  )"
    return f"(not ({test}))" if ref.exclude else test


def _value(ctx: _Context, cond: rules.Value, path: str) -> str:
    if isinstance(cond.operator, rules.Opaque):
        raise UnsupportedRule(f"{path}.operator.type", f"{cond.operator.kind} is not supported by the local server")
    if cond.limit is not None:
        raise UnsupportedRule(f"{path}.limit", "a condition-level limit is not supported by the local server")
    left = cond.left
    if isinstance(left, rules.Opaque):
        raise UnsupportedRule(f"{path}.leftValue", f"{left.kind} values are not supported by the local server")
    if isinstance(left, rules.Aggregate):
        if cond.array_matching is not None:
            raise UnsupportedRule(f"{path}.arrayMatching", "an aggregation is one value, not an array")
        value, kind = _aggregate(ctx, left, f"{path}.leftValue")
    else:
        kind = ctx.catalog.attributes.get(left.name)  # type: ignore[assignment]
        if kind is None:
            raise UnsupportedRule(f"{path}.leftValue.name", f"{left.name!r} is not an attribute of this parent segment")
        value = f"{ctx.alias}.{quote_ident(left.name)}"
    test = _predicate(ctx, value, kind, cond.operator, cond.array_matching, path)
    # exclude: drop the profiles the condition selects; those where it is unknown (NULL) stay.
    return f"(not coalesce({test}, false))" if cond.exclude else test


def _aggregate(ctx: _Context, agg: rules.Aggregate, path: str) -> tuple[str, str]:
    behavior = ctx.catalog.behaviors.get(agg.source)
    if behavior is None:
        raise UnsupportedRule(f"{path}.source.name", f"{agg.source!r} is not a behaviour of this parent segment")
    if agg.grouping_columns:
        raise UnsupportedRule(f"{path}.aggregation.groupingColumns", "grouping is not supported by the local server")

    def column(name: str | None, where: str) -> tuple[str, str]:
        kind = behavior.columns.get(name or "")
        if kind is None:
            raise UnsupportedRule(
                f"{path}.aggregation.{where}", f"{name!r} is not a column of behaviour {agg.source!r}"
            )
        return f"b.{quote_ident(name or '')}", kind

    fn = agg.function
    if fn == "Count":
        expr, kind = "count(*)", "number"
    elif fn == "CountDistinct":
        if len(agg.columns) != 1:
            raise UnsupportedRule(
                f"{path}.aggregation.columns", "the local server counts distinct values of one column"
            )
        expr, kind = f"count(distinct {column(agg.columns[0], 'columns[0]')[0]})", "number"
    elif fn in ("First", "Last"):
        (col, kind), (order, _) = column(agg.column, "column"), column(agg.order_column, "orderColumn")
        expr = f"{'min_by' if fn == 'First' else 'max_by'}({col}, {order})"
    else:
        col, col_kind = column(agg.column, "column")
        if col_kind != "number" and fn in ("Sum", "Average"):
            raise UnsupportedRule(f"{path}.aggregation.column", f"{fn} needs a number column, {agg.column!r} is not")
        sql_fn = {"Sum": "sum", "Min": "min", "Max": "max", "Average": "avg"}[fn]
        expr, kind = f"{sql_fn}({col})", "number" if fn in ("Sum", "Average") else col_kind
    if fn in ("Sum", "Count", "CountDistinct"):
        expr = f"coalesce({expr}, 0)"  # no events: 0, not unknown
    where = [f"b.{quote_ident(KEY)} = {ctx.alias}.{quote_ident(KEY)}"]
    if agg.filter is not None:
        where.append(_filter(ctx, behavior, agg.filter, f"{path}.filter"))
    if agg.window:
        seconds = sum(_SECONDS[unit] * amount for unit, amount in agg.window.items())
        where.append(f"b.{quote_ident(TIME)} >= {ctx.dialect.epoch(ctx.dialect.now())} - {_number_text(seconds)}")
    table = f"{quote_ident(ctx.catalog.database)}.{quote_ident(behavior.table)} b"
    return f"(select {expr} from {table} where {' and '.join(where)})", kind


def _filter(ctx: _Context, behavior: Behavior, item: rules.ColumnFilter | rules.FilterGroup, path: str) -> str:
    if isinstance(item, rules.FilterGroup):
        parts = [_filter(ctx, behavior, c, f"{path}.conditions[{i}]") for i, c in enumerate(item.conditions)]
        return "(" + f" {item.type.lower()} ".join(parts) + ")" if parts else "true"
    kind = behavior.columns.get(item.column)
    if kind is None:
        raise UnsupportedRule(f"{path}.column", f"{item.column!r} is not a column of behaviour {behavior.name!r}")
    return _predicate(ctx, f"b.{quote_ident(item.column)}", kind, item.operator, item.array_matching, path)


# -- one operator on one value -----------------------------------------------------------------------


def _predicate(
    ctx: _Context, value: str, kind: str, op: rules.Operator, matching: rules.ArrayMatching | None, path: str
) -> str:
    if kind in ARRAY_TYPES:
        if op.type == "IsNull":
            test = f"({value} is null or {ctx.dialect.length(value)} = 0)"
            return f"(not {test})" if op.not_ else test
        element = ARRAY_TYPES[kind]
        count = ctx.dialect.matching(value, "x", _scalar(ctx, "x", element, op, path))
        matching = matching or rules.ArrayMatching("any")
        if matching.kind == "any":
            return f"({count} > 0)"
        if matching.kind == "all":
            return f"({count} = {ctx.dialect.length(value)} and {ctx.dialect.length(value)} > 0)"
        sign = {"atLeast": ">=", "atMost": "<=", "exactly": "="}[matching.kind]
        return f"({count} {sign} {matching.count})"
    if matching is not None:
        raise UnsupportedRule(f"{path}.arrayMatching", f"arrayMatching applies to array attributes, not {kind}")
    return _scalar(ctx, value, kind, op, path)


def _scalar(ctx: _Context, value: str, kind: str, op: rules.Operator, path: str) -> str:
    where = f"{path}.operator"
    t = op.type
    if t == "IsNull":
        return f"({value} is {'not ' if op.not_ else ''}null)"
    if t in rules.TEXT_OPERATORS and kind != "string":
        raise UnsupportedRule(f"{where}.type", f"{t} compares text; this value is {kind}")
    if kind == "boolean" and t not in ("Equal", "In"):
        raise UnsupportedRule(f"{where}.type", f"a boolean takes Equal, In or IsNull, not {t}")
    if t == "Equal":
        test = f"{value} = {_literal(ctx, op.value, kind, f'{where}.rightValue')}"
    elif t in ("Greater", "GreaterEqual", "Less", "LessEqual"):
        sign = {"Greater": ">", "GreaterEqual": ">=", "Less": "<", "LessEqual": "<="}[t]
        test = f"{value} {sign} {_literal(ctx, op.value, kind, f'{where}.rightValue')}"
    elif t == "Between":
        low = _literal(ctx, op.min_value, kind, f"{where}.minValue")
        high = _literal(ctx, op.max_value, kind, f"{where}.maxValue")
        test = f"{value} between {low} and {high}"
    elif t == "In":
        items = ", ".join(_literal(ctx, v, kind, f"{where}.rightValues[{i}]") for i, v in enumerate(op.values))
        test = f"{value} in ({items})"
    elif t == "Contain":
        test = " or ".join(f"position({quote_literal(str(v))} in {value}) > 0" for v in op.values)
    elif t in ("StartWith", "EndWith"):
        test = " or ".join(f"{value} like {quote_literal(_like(str(v), t))} escape '\\'" for v in op.values)
    else:  # Regexp
        try:
            re.compile(str(op.value))
        except re.error as exc:
            raise UnsupportedRule(f"{where}.rightValue", f"not a regular expression: {exc}") from None
        test = ctx.dialect.regexp(value, quote_literal(str(op.value)))
    return f"(not ({test}))" if op.not_ else f"({test})"


def _like(text: str, kind: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if kind == "StartWith" else f"%{escaped}"


def _literal(ctx: _Context, value: rules.RightValue | None, kind: str, path: str) -> str:
    """``value`` as a SQL literal of TD type ``kind``; a value that cannot be one is the rule's mistake."""
    if isinstance(value, rules.Relative):
        if kind not in ("timestamp", "date"):
            raise UnsupportedRule(path, f"a relative time compares with timestamps and dates, not {kind}")
        return f"({ctx.dialect.now()} - {ctx.dialect.interval(value.last, value.unit)})"
    if isinstance(value, rules.Timestamp):
        if kind not in ("timestamp", "date"):
            raise UnsupportedRule(path, f"a timestamp compares with timestamps and dates, not {kind}")
        return ctx.dialect.timestamp(_iso_timestamp(value.text, path))
    if kind == "number":
        if isinstance(value, bool):
            raise UnsupportedRule(path, "a number attribute is compared with a number, not a boolean")
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise UnsupportedRule(path, f"{value!r} is not a number") from None
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise UnsupportedRule(path, f"{value!r} is not a finite number")
        return _number_text(value)
    if kind == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        if not isinstance(value, bool):
            raise UnsupportedRule(path, f"a boolean attribute is compared with true or false, not {value!r}")
        return "true" if value else "false"
    if kind == "timestamp":
        if not isinstance(value, str):
            raise UnsupportedRule(path, f"a timestamp attribute is compared with an ISO 8601 time, not {value!r}")
        return ctx.dialect.timestamp(_iso_timestamp(value, path))
    if kind == "date":
        if not isinstance(value, str):
            raise UnsupportedRule(path, f"a date attribute is compared with a YYYY-MM-DD date, not {value!r}")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise UnsupportedRule(path, f"{value!r} is not a YYYY-MM-DD date") from None
        return f"date '{day.isoformat()}'"
    if isinstance(value, bool):
        raise UnsupportedRule(path, "a text attribute is compared with text, not a boolean")
    return quote_literal(str(value) if not isinstance(value, str) else value)


def _iso_timestamp(text: str, path: str) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UnsupportedRule(path, f"{text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        return moment.isoformat() + "Z"  # UNCONFIRMED: a time without zone is UTC
    return moment.isoformat()


def _number_text(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(float(value))
