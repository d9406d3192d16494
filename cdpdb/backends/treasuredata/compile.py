"""Pushed SQL predicates → a v5 segment rule, the way the Audience API filters profiles.

Each predicate becomes one ``Value`` condition of an ``And`` rule; ORDER BY + LIMIT become the
rule's ``limit``. Only what a rule expresses exactly is accepted (:func:`accepts`): LIKE only as
a prefix, suffix or substring; no conditions on array attributes (their element-wise matching has
no SQL predicate counterpart here). DuckDB checks every predicate again over the profiles.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

from cdpdb.backends.treasuredata import rules
from cdpdb.core.sqlapi import tables as t
from cdpdb.core.sqlapi.tables import Order, Predicate

_COMPARISON = {
    t.EQ: ("Equal", False),
    t.NE: ("Equal", True),
    t.LT: ("Less", False),
    t.LE: ("LessEqual", False),
    t.GT: ("Greater", False),
    t.GE: ("GreaterEqual", False),
}
_PLAIN = re.compile(r"[^%_\\]*")
# Which SQL comparisons each attribute type takes (what a rule can say about it).
OPERATORS_BY_TYPE = {
    "string": frozenset(t.COMPARISONS | {t.IN, t.NOT_IN, t.IS_NULL, t.IS_NOT_NULL, t.LIKE, t.NOT_LIKE, t.REGEXP}),
    "number": frozenset(t.COMPARISONS | {t.IN, t.NOT_IN, t.BETWEEN, t.IS_NULL, t.IS_NOT_NULL}),
    "timestamp": frozenset(t.COMPARISONS | {t.BETWEEN, t.IS_NULL, t.IS_NOT_NULL}),
    "date": frozenset(t.COMPARISONS | {t.BETWEEN, t.IS_NULL, t.IS_NOT_NULL}),
    "boolean": frozenset({t.EQ, t.NE, t.IS_NULL, t.IS_NOT_NULL}),
}


def like_operator(pattern: str) -> tuple[str, str] | None:
    """``'abc%'`` → (StartWith, abc), ``'%abc'`` → EndWith, ``'%abc%'`` → Contain, ``'abc'`` →
    Equal; any other pattern (``_``, an inner ``%``, an escape) has no rule operator."""
    if pattern.startswith("%") and pattern.endswith("%") and len(pattern) >= 2 and _PLAIN.fullmatch(pattern[1:-1]):
        return "Contain", pattern[1:-1]
    if pattern.endswith("%") and _PLAIN.fullmatch(pattern[:-1]):
        return "StartWith", pattern[:-1]
    if pattern.startswith("%") and _PLAIN.fullmatch(pattern[1:]):
        return "EndWith", pattern[1:]
    if _PLAIN.fullmatch(pattern):
        return "Equal", pattern
    return None


def right_value(value: Any, td_type: str) -> rules.RightValue:
    """A Python value as a rule's right-hand side for an attribute of ``td_type``."""
    if td_type == "timestamp" and isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return rules.Timestamp(moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"))
    if td_type == "timestamp" and isinstance(value, dt.date):
        return rules.Timestamp(f"{value.isoformat()}T00:00:00Z")
    if td_type == "date" and isinstance(value, dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value  # type: ignore[no-any-return]


def convertible(predicate: Predicate, td_type: str) -> bool:
    """Whether ``predicate`` on an attribute of ``td_type`` has an exact rule condition."""
    if predicate.op not in OPERATORS_BY_TYPE.get(td_type, frozenset()):
        return False
    values = predicate.value if predicate.op in (t.IN, t.NOT_IN, t.BETWEEN) else (predicate.value,)
    if predicate.op in (t.IS_NULL, t.IS_NOT_NULL):
        return True
    if predicate.op in (t.LIKE, t.NOT_LIKE):
        return isinstance(predicate.value, str) and like_operator(predicate.value) is not None
    return all(_fits(v, td_type) for v in values)


def _fits(value: Any, td_type: str) -> bool:
    if value is None:
        return False
    if td_type == "number":
        return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and math.isfinite(value)
    if td_type == "boolean":
        return isinstance(value, bool)
    if td_type in ("timestamp", "date"):
        return isinstance(value, dt.date)
    return isinstance(value, str)


def condition(predicate: Predicate, td_type: str) -> rules.Value:
    """One accepted predicate as a ``Value`` condition."""
    left, op, value = rules.Attribute(predicate.column), predicate.op, predicate.value
    if op in _COMPARISON:
        kind, negated = _COMPARISON[op]
        return rules.Value(left, rules.Operator(kind, value=right_value(value, td_type), not_=negated))
    if op in (t.IN, t.NOT_IN):
        values = tuple(right_value(v, td_type) for v in value)
        return rules.Value(left, rules.Operator("In", values=values, not_=op == t.NOT_IN))  # type: ignore[arg-type]
    if op == t.BETWEEN:
        low, high = (right_value(v, td_type) for v in value)
        return rules.Value(left, rules.Operator("Between", min_value=low, max_value=high))
    if op in (t.IS_NULL, t.IS_NOT_NULL):
        return rules.Value(left, rules.Operator("IsNull", not_=op == t.IS_NOT_NULL))
    if op in (t.LIKE, t.NOT_LIKE):
        found = like_operator(value)
        assert found is not None
        kind, text = found
        negated = op == t.NOT_LIKE
        if kind == "Equal":
            return rules.Value(left, rules.Operator("Equal", value=text, not_=negated))
        return rules.Value(left, rules.Operator(kind, values=(text,), not_=negated))
    return rules.Value(left, rules.Operator("Regexp", value=value))


def rule_for(
    predicates: tuple[Predicate, ...],
    types: dict[str, str],
    order: tuple[Order, ...] = (),
    limit: int | None = None,
    base: rules.Rule | None = None,
) -> rules.Rule | None:
    """``base`` (a saved segment's rule) and the predicates, all required; the order and limit
    as the rule's top-N. None: every profile."""
    conditions: list[rules.Condition] = [condition(p, types[p.column]) for p in predicates]
    if base is not None:
        conditions.insert(0, base.group)
    top = None
    if limit is not None:
        columns = tuple(rules.OrderColumn(o.column, "descending" if o.descending else "ascending") for o in order)
        top = rules.Limit(limit, columns)
    if not conditions and top is None:
        return None
    if base is not None and base.limit is not None:
        if conditions == [base.group] and top is None:  # the saved top-N as it is
            return base
        raise ValueError("a saved segment with a top-N limit cannot take more conditions")
    return rules.Rule("And", tuple(conditions), limit=top)
