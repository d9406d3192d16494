"""The v5 segment rule of Treasure Data's Audience API as typed values, shared by the client
(which compiles a WHERE clause into one) and the local emulator (which evaluates one).

The JSON shape follows the ``partial_v5_rule.yaml`` schemas of TD's public cdp-api OpenAPI:

- a rule is ``{type: And|Or|Composite, conditions: [...], expr?, limit?}``; its conditions are
  condition sets of the same shape (TD's UI always nests one level), and conditions;
- a ``Value`` condition is ``{type: "Value", leftValue, operator, exclude, arrayMatching, limit}``;
  ``leftValue`` is an attribute ``{name}`` or a behaviour aggregation ``{aggregation, source,
  filter, window}``;
- an operator is ``{type, not, rightValue | rightValues | minValue+maxValue}``;
- ``limit`` is ``{type: Count|Percent, number, orderColumns: [{type: "Column", column, order}]}``.

:func:`from_json` validates and raises :class:`RuleError` naming the bad part by its path
(``conditions[0].conditions[2].operator.rightValues``). Parts of real rules that cdpdb does not
model (time-frame operators, funnel/A-B/predictive/ML references, customer-group attributes) are
kept as :class:`Opaque` so that a rule read from TD is written back unchanged; evaluating them is
refused by whoever compiles the rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from cdpdb.backends.treasuredata import wire

Scalar = str | int | float | bool

GROUP_TYPES = wire.RULE_TYPES  # And, Or, Composite
LIST_OPERATORS = ("In", "Contain", "StartWith", "EndWith")  # take rightValues
TEXT_OPERATORS = ("Contain", "StartWith", "EndWith", "Regexp")
COMPARISONS = ("Equal", "Greater", "GreaterEqual", "Less", "LessEqual")
TIME_UNITS = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")
AGGREGATIONS = ("Count", "CountDistinct", "Sum", "Min", "Max", "Average", "First", "Last")
ARRAY_MATCHING_WORDS = ("any", "all")
ARRAY_MATCHING_COUNTS = ("atLeast", "atMost", "exactly")
LIMIT_TYPES = ("Count", "Percent")
ORDERS = ("ascending", "descending")
#: Condition types of the schema that cdpdb keeps without modelling (see :class:`Opaque`).
OPAQUE_CONDITIONS = (
    "FunnelStageReference",
    "AbTestVariantReference",
    "PredictiveScoreReference",
    "MlAttributeReference",
)
#: Operator types that only exist for time frames (kept as :class:`Opaque`).
TIME_OPERATORS = (
    "TimeRange",
    "TimeToday",
    "TimeThis",
    "TimeNext",
    "TimeWithinNext",
    "TimeWithinPast",
    "TimeInBetweenNext",
)


class RuleError(ValueError):
    """A rule that is not valid, with the path of the part at fault."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path, self.reason = path, message


# -- values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timestamp:
    """A fixed instant, ``{"timestamp": "2024-01-01T00:00:00Z"}`` (ISO 8601)."""

    text: str

    def to_json(self) -> dict[str, Any]:
        return {"timestamp": self.text}


@dataclass(frozen=True)
class Relative:
    """An instant relative to now, ``{"last": 7, "unit": "day"}``: seven days ago."""

    last: float
    unit: str

    def to_json(self) -> dict[str, Any]:
        return {"last": self.last, "unit": self.unit}


RightValue = Scalar | Timestamp | Relative


@dataclass(frozen=True)
class Opaque:
    """A part of a real rule that cdpdb keeps as it came (JSON) but does not evaluate."""

    raw: Mapping[str, Any]
    kind: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.raw)


# -- operators --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operator:
    """A comparison with its right-hand side(s); ``not_`` is the JSON ``not`` flag."""

    type: str
    value: RightValue | None = None  # rightValue (comparisons, Regexp)
    values: tuple[Scalar, ...] = ()  # rightValues (In, Contain, StartWith, EndWith)
    min_value: RightValue | None = None  # Between
    max_value: RightValue | None = None
    not_: bool = False

    def __post_init__(self) -> None:
        _check_operator(self, "operator")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "not": self.not_}
        if self.type in LIST_OPERATORS:
            out["rightValues"] = list(self.values)
        elif self.type == "Between":
            out["minValue"], out["maxValue"] = _value_json(self.min_value), _value_json(self.max_value)
        elif self.type != "IsNull":
            out["rightValue"] = _value_json(self.value)
        return out


def _value_json(value: RightValue | None) -> Any:
    return value.to_json() if isinstance(value, (Timestamp, Relative)) else value


def _check_operator(op: Operator, path: str) -> None:
    if op.type not in wire.OPERATORS:
        raise RuleError(f"{path}.type", f"unknown operator {op.type!r}; one of {', '.join(wire.OPERATORS)}")
    if not isinstance(op.not_, bool):
        raise RuleError(f"{path}.not", "must be true or false")
    if op.type in LIST_OPERATORS:
        if not op.values:
            raise RuleError(f"{path}.rightValues", f"{op.type} needs at least one value")
        for i, item in enumerate(op.values):
            text_only = op.type != "In"
            ok = isinstance(item, str) if text_only else _is_scalar(item) and not isinstance(item, bool)
            if not ok:
                kind = "text" if text_only else "text or a number"
                raise RuleError(f"{path}.rightValues[{i}]", f"{op.type} values must be {kind}, not {item!r}")
    elif op.type == "Between":
        for name, value in (("minValue", op.min_value), ("maxValue", op.max_value)):
            if value is None or isinstance(value, bool) or not _is_right_value(value):
                raise RuleError(f"{path}.{name}", f"Between needs {name} (a number, text or timestamp)")
    elif op.type == "Regexp":
        if not isinstance(op.value, str) or not op.value:
            raise RuleError(f"{path}.rightValue", "Regexp needs a pattern (non-empty text)")
    elif op.type != "IsNull" and (op.value is None or not _is_right_value(op.value)):
        raise RuleError(f"{path}.rightValue", f"{op.type} needs a rightValue (a number, text, boolean or timestamp)")


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _is_right_value(value: Any) -> bool:
    return _is_scalar(value) or isinstance(value, (Timestamp, Relative))


# -- left values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    """An attribute of the parent segment's profiles, by name (``{"name": "gender"}``)."""

    name: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name}


@dataclass(frozen=True)
class ColumnFilter:
    """A condition on one column of a behaviour's rows (``{"type": "Column", ...}``)."""

    column: str
    operator: Operator
    array_matching: ArrayMatching | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "Column",
            "column": self.column,
            "operator": self.operator.to_json(),
            "arrayMatching": self.array_matching.to_json() if self.array_matching else None,
        }


@dataclass(frozen=True)
class FilterGroup:
    """``And``/``Or`` of behaviour row filters."""

    type: str
    conditions: tuple[ColumnFilter | FilterGroup, ...]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "conditions": [c.to_json() for c in self.conditions]}


@dataclass(frozen=True)
class Aggregate:
    """An aggregation over a behaviour's rows of each profile: ``Count`` of purchases in the last
    30 days where ``amount > 100``. ``column`` for Sum/Min/Max/Average/First/Last, ``columns`` for
    CountDistinct, ``order_column`` for First/Last, ``window`` a sliding duration ({day: 30})."""

    source: str
    function: str
    column: str | None = None
    columns: tuple[str, ...] = ()
    grouping_columns: tuple[str, ...] = ()
    order_column: str | None = None
    filter: FilterGroup | None = None
    window: Mapping[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        aggregation: dict[str, Any] = {"type": self.function}
        if self.function == "CountDistinct":
            aggregation["columns"] = list(self.columns)
        else:
            if self.column is not None:
                aggregation["column"] = self.column
            aggregation["groupingColumns"] = list(self.grouping_columns)
        if self.order_column is not None:
            aggregation["orderColumn"] = self.order_column
        out: dict[str, Any] = {
            "aggregation": aggregation,
            "source": {"name": self.source},
            "filter": self.filter.to_json() if self.filter else {},
        }
        if self.window is not None:
            out["window"] = {"type": "TimeSliding", "duration": dict(self.window)}
        return out


LeftValue = Attribute | Aggregate | Opaque


@dataclass(frozen=True)
class ArrayMatching:
    """How an operator applies to an array attribute's elements: ``any`` or ``all`` of them, or
    ``atLeast``/``atMost``/``exactly`` ``count`` of them."""

    kind: str
    count: int | None = None

    def to_json(self) -> Any:
        return self.kind if self.count is None else {self.kind: self.count}


# -- conditions and rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderColumn:
    column: str
    order: str = "ascending"

    def to_json(self) -> dict[str, Any]:
        return {"type": "Column", "column": self.column, "order": self.order}


@dataclass(frozen=True)
class Limit:
    """Keep the first ``number`` profiles (``Count``) or ``number`` percent of them (``Percent``)
    in the order of ``order_columns``."""

    number: float
    order_columns: tuple[OrderColumn, ...] = ()
    type: str = "Count"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "number": self.number, "orderColumns": [c.to_json() for c in self.order_columns]}


@dataclass(frozen=True)
class Value:
    """``leftValue`` compared by ``operator``; ``exclude`` drops the profiles that match instead."""

    left: LeftValue
    operator: Operator | Opaque
    exclude: bool = False
    array_matching: ArrayMatching | None = None
    limit: Limit | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": wire.VALUE_CONDITION,
            "leftValue": self.left.to_json(),
            "operator": self.operator.to_json(),
            "exclude": self.exclude,
            "arrayMatching": self.array_matching.to_json() if self.array_matching else None,
            "limit": self.limit.to_json() if self.limit else None,
        }


@dataclass(frozen=True)
class Reference:
    """Profiles of another saved segment (``id``); ``exclude`` for those not in it."""

    id: str
    exclude: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"type": "Reference", "id": self.id, "exclude": self.exclude}


@dataclass(frozen=True)
class Group:
    """``And``/``Or`` of conditions, or ``Composite``: ``expr`` combines them by their 1-based
    position (``"1 and (2 or not 3)"``)."""

    type: str
    conditions: tuple[Condition, ...]
    expr: str | None = None
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "conditions": [c.to_json() for c in self.conditions]}
        if self.expr is not None:
            out["expr"] = self.expr
        if self.description is not None:
            out["description"] = self.description
        return out


Condition = Group | Value | Reference | Opaque


@dataclass(frozen=True)
class Rule:
    """A segment rule: a group of conditions and an optional top-N ``limit``."""

    type: str = "And"
    conditions: tuple[Condition, ...] = field(default_factory=tuple)
    expr: str | None = None
    limit: Limit | None = None

    def __post_init__(self) -> None:
        # Built in code rather than parsed: the same checks as from_json.
        from_json(self.to_json())

    @property
    def group(self) -> Group:
        return Group(self.type, self.conditions, self.expr)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "conditions": [c.to_json() for c in self.conditions]}
        if self.expr is not None:
            out["expr"] = self.expr
        if self.limit is not None:
            out["limit"] = self.limit.to_json()
        return out


# -- parsing ------------------------------------------------------------------------------------


def from_json(data: Any) -> Rule | None:
    """The rule of a JSON value; ``None`` for no rule (``null`` or ``{}``: every profile)."""
    if data is None or data == {}:
        return None
    obj = _object(data, "")
    kind = _enum(obj, "type", GROUP_TYPES, "")
    conditions = _conditions(obj, "")
    expr = _expr(obj, kind, len(conditions), "")
    limit = _limit(obj["limit"], "limit") if obj.get("limit") is not None else None
    rule = object.__new__(Rule)  # already checked: skip __post_init__'s second pass
    for name, value in (("type", kind), ("conditions", conditions), ("expr", expr), ("limit", limit)):
        object.__setattr__(rule, name, value)
    return rule


def _object(data: Any, path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise RuleError(path, f"must be a JSON object, not {type(data).__name__}")
    return data


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _enum(obj: dict[str, Any], key: str, allowed: Sequence[str], path: str) -> str:
    value = obj.get(key)
    if value not in allowed:
        raise RuleError(_at(path, key), f"must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def _flag(obj: dict[str, Any], key: str, path: str) -> bool:
    value = obj.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RuleError(_at(path, key), f"must be true or false, not {value!r}")
    return value


def _text(obj: dict[str, Any], key: str, path: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise RuleError(_at(path, key), f"must be non-empty text, not {value!r}")
    return value


def _number(value: Any, path: str, *, integer: bool = False, positive: bool = False) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and int(value) != value):
        raise RuleError(path, f"must be {'an integer' if integer else 'a number'}, not {value!r}")
    if value < 0 or (positive and value == 0):
        raise RuleError(path, f"must be {'positive' if positive else 'zero or more'}, not {value!r}")
    return int(value) if integer else value


def _conditions(obj: dict[str, Any], path: str) -> tuple[Condition, ...]:
    items = obj.get("conditions")
    if not isinstance(items, list):
        raise RuleError(_at(path, "conditions"), "must be a list of conditions")
    return tuple(_condition(item, f"{_at(path, 'conditions')}[{i}]") for i, item in enumerate(items))


def _expr(obj: dict[str, Any], kind: str, count: int, path: str) -> str | None:
    expr = obj.get("expr")
    if expr is not None and not isinstance(expr, str):
        raise RuleError(_at(path, "expr"), "must be text")
    if kind == "Composite":
        if not expr:
            raise RuleError(_at(path, "expr"), "a Composite group needs an expr such as '1 and (2 or 3)'")
        try:
            parse_expr(expr, count)
        except ValueError as exc:
            raise RuleError(_at(path, "expr"), str(exc)) from None
    return expr or None


def _condition(data: Any, path: str) -> Condition:
    obj = _object(data, path)
    kind = obj.get("type")
    if kind in GROUP_TYPES:
        conditions = _conditions(obj, path)
        description = obj.get("description")
        if description is not None and not isinstance(description, str):
            raise RuleError(_at(path, "description"), "must be text")
        return Group(str(kind), conditions, _expr(obj, str(kind), len(conditions), path), description)
    if kind == wire.VALUE_CONDITION:
        return _value(obj, path)
    if kind == "Reference":
        ref = obj.get("id")
        if isinstance(ref, int) and not isinstance(ref, bool):
            ref = str(ref)
        if not isinstance(ref, str) or not ref:
            raise RuleError(_at(path, "id"), "a Reference needs the id of a segment")
        return Reference(ref, _flag(obj, "exclude", path))
    if kind in OPAQUE_CONDITIONS:
        return Opaque(obj, str(kind))
    known = (*GROUP_TYPES, wire.VALUE_CONDITION, "Reference", *OPAQUE_CONDITIONS)
    raise RuleError(_at(path, "type"), f"unknown condition type {kind!r}; one of {', '.join(known)}")


def _value(obj: dict[str, Any], path: str) -> Value:
    left = _left(obj.get("leftValue"), _at(path, "leftValue"))
    operator = _operator(obj.get("operator"), _at(path, "operator"))
    matching = _array_matching(obj.get("arrayMatching"), _at(path, "arrayMatching"))
    limit = _limit(obj["limit"], _at(path, "limit")) if obj.get("limit") is not None else None
    return Value(left, operator, _flag(obj, "exclude", path), matching, limit)


def _left(data: Any, path: str) -> LeftValue:
    obj = _object(data, path)
    if "aggregation" in obj:
        return _aggregate(obj, path)
    if "customerGroup" in obj:
        return Opaque(obj, "customerGroup")
    return Attribute(_text(obj, "name", path))


def _aggregate(obj: dict[str, Any], path: str) -> Aggregate:
    agg = _object(obj["aggregation"], _at(path, "aggregation"))
    agg_path = _at(path, "aggregation")
    function = _enum(agg, "type", AGGREGATIONS, agg_path)
    column = columns = order_column = None
    if function in ("Sum", "Min", "Max", "Average", "First", "Last"):
        column = _text(agg, "column", agg_path)
    if function in ("First", "Last"):
        order_column = _text(agg, "orderColumn", agg_path)
    if function == "CountDistinct":
        raw = agg.get("columns")
        if not isinstance(raw, list) or not raw or not all(isinstance(c, str) and c for c in raw):
            raise RuleError(_at(agg_path, "columns"), "CountDistinct needs a non-empty list of column names")
        columns = tuple(raw)
    grouping = agg.get("groupingColumns") or []
    if not isinstance(grouping, list) or not all(isinstance(c, str) for c in grouping):
        raise RuleError(_at(agg_path, "groupingColumns"), "must be a list of column names")
    source = _text(_object(obj.get("source"), _at(path, "source")), "name", _at(path, "source"))
    raw_filter = obj.get("filter")
    row_filter = None
    if raw_filter not in (None, {}):
        parsed = _filter(raw_filter, _at(path, "filter"))
        row_filter = parsed if isinstance(parsed, FilterGroup) else FilterGroup("And", (parsed,))
    window = None
    if obj.get("window") is not None:
        win = _object(obj["window"], _at(path, "window"))
        _enum(win, "type", ("TimeSliding",), _at(path, "window"))
        duration = _object(win.get("duration"), _at(path, "window.duration"))
        allowed = ("day", "hour", "minute", "second")
        if not duration or set(duration) - set(allowed):
            raise RuleError(_at(path, "window.duration"), f"must give some of {', '.join(allowed)}")
        window = {k: _number(v, _at(path, f"window.duration.{k}")) for k, v in duration.items()}
    return Aggregate(source, function, column, columns or (), tuple(grouping), order_column, row_filter, window)


def _filter(data: Any, path: str) -> ColumnFilter | FilterGroup:
    obj = _object(data, path)
    kind = obj.get("type")
    if kind in ("And", "Or"):
        items = obj.get("conditions")
        if not isinstance(items, list):
            raise RuleError(_at(path, "conditions"), "must be a list of filters")
        return FilterGroup(str(kind), tuple(_filter(c, f"{_at(path, 'conditions')}[{i}]") for i, c in enumerate(items)))
    if kind == "Column":
        op = _operator(obj.get("operator"), _at(path, "operator"))
        if isinstance(op, Opaque):
            raise RuleError(_at(path, "operator"), f"time-frame operator {op.kind} is not supported in cdpdb filters")
        matching = _array_matching(obj.get("arrayMatching"), _at(path, "arrayMatching"))
        return ColumnFilter(_text(obj, "column", path), op, matching)
    raise RuleError(_at(path, "type"), f"a behaviour filter is And, Or or Column, not {kind!r}")


def _right(value: Any, path: str, *, allow_relative: bool = True) -> RightValue:
    if isinstance(value, dict):
        if set(value) == {"timestamp"} and isinstance(value["timestamp"], str):
            return Timestamp(value["timestamp"])
        if allow_relative and set(value) == {"last", "unit"} and value.get("unit") in TIME_UNITS:
            return Relative(_number(value["last"], _at(path, "last")), value["unit"])
        raise RuleError(path, "must be a number, text, boolean, {timestamp} or {last, unit}")
    if not _is_scalar(value):
        raise RuleError(path, f"must be a number, text, boolean or timestamp, not {value!r}")
    return value


def _operator(data: Any, path: str) -> Operator | Opaque:
    obj = _object(data, path)
    kind = obj.get("type")
    if kind in TIME_OPERATORS:
        return Opaque(obj, str(kind))
    if kind not in wire.OPERATORS:
        raise RuleError(_at(path, "type"), f"unknown operator {kind!r}; one of {', '.join(wire.OPERATORS)}")
    negate = _flag(obj, "not", path)
    if kind in LIST_OPERATORS:
        values = obj.get("rightValues")
        if not isinstance(values, list):
            raise RuleError(_at(path, "rightValues"), f"{kind} needs rightValues (a list)")
        return _built(Operator, path, type=str(kind), values=tuple(values), not_=negate)
    if kind == "Between":
        low = _right(obj.get("minValue"), _at(path, "minValue")) if obj.get("minValue") is not None else None
        high = _right(obj.get("maxValue"), _at(path, "maxValue")) if obj.get("maxValue") is not None else None
        return _built(Operator, path, type=str(kind), min_value=low, max_value=high, not_=negate)
    if kind == "IsNull":
        return Operator("IsNull", not_=negate)
    raw = obj.get("rightValue")
    value = _right(raw, _at(path, "rightValue")) if raw is not None else None
    return _built(Operator, path, type=str(kind), value=value, not_=negate)


def _built(cls: type[Operator], path: str, **fields: Any) -> Operator:
    try:
        return cls(**fields)
    except RuleError as exc:  # re-anchor the operator's own path under this condition's
        raise RuleError(path + exc.path[len("operator") :], exc.reason) from None


def _array_matching(data: Any, path: str) -> ArrayMatching | None:
    if data is None:
        return None
    if isinstance(data, str):
        if data not in ARRAY_MATCHING_WORDS:
            raise RuleError(path, f"must be any, all or {{atLeast|atMost|exactly: n}}, not {data!r}")
        return ArrayMatching(data)
    obj = _object(data, path)
    if len(obj) != 1 or next(iter(obj)) not in ARRAY_MATCHING_COUNTS:
        raise RuleError(path, "must be any, all or one of {atLeast: n}, {atMost: n}, {exactly: n}")
    kind, count = next(iter(obj.items()))
    return ArrayMatching(kind, _number(count, _at(path, kind), integer=True))


def _limit(data: Any, path: str) -> Limit:
    obj = _object(data, path)
    kind = _enum(obj, "type", LIMIT_TYPES, path) if "type" in obj else "Count"
    number = _number(obj.get("number"), _at(path, "number"))
    if kind == "Percent" and number > 100:
        raise RuleError(_at(path, "number"), "a Percent limit is at most 100")
    if kind == "Count":
        number = _number(number, _at(path, "number"), integer=True)
    raw = obj.get("orderColumns") or []
    if not isinstance(raw, list):
        raise RuleError(_at(path, "orderColumns"), "must be a list")
    columns = []
    for i, item in enumerate(raw):
        item_path = f"{_at(path, 'orderColumns')}[{i}]"
        col = _object(item, item_path)
        if col.get("type", "Column") != "Column":
            raise RuleError(_at(item_path, "type"), "only Column order columns are supported by cdpdb")
        order = _enum(col, "order", ORDERS, item_path) if "order" in col else "ascending"
        columns.append(OrderColumn(_text(col, "column", item_path), order))
    return Limit(number, tuple(columns), kind)


# -- Composite expressions ------------------------------------------------------------------------

#: A parsed Composite expression: a condition's 1-based position, or (op, operands).
Expr = Union[int, tuple[str, tuple["Expr", ...]]]  # noqa: UP007 (recursive: needs the string form)


def parse_expr(text: str, count: int) -> Expr:
    """``"1 and (2 or not 3)"`` → a tree of ``("and"|"or"|"not", operands)`` over positions 1..count.

    ``and`` binds tighter than ``or``; words are case-insensitive."""
    import re

    tokens = re.findall(r"\d+|\(|\)|[A-Za-z]+|\S", text)
    pos = 0

    def peek() -> str | None:
        return tokens[pos].lower() if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"expr {text!r} ends too early")
        pos += 1
        return tokens[pos - 1].lower()

    def disjunction() -> Expr:
        items = [conjunction()]
        while peek() == "or":
            take()
            items.append(conjunction())
        return items[0] if len(items) == 1 else ("or", tuple(items))

    def conjunction() -> Expr:
        items = [negation()]
        while peek() == "and":
            take()
            items.append(negation())
        return items[0] if len(items) == 1 else ("and", tuple(items))

    def negation() -> Expr:
        if peek() == "not":
            take()
            return ("not", (negation(),))
        token = take()
        if token == "(":
            inner = disjunction()
            if take() != ")":
                raise ValueError(f"expr {text!r} misses a closing parenthesis")
            return inner
        if token.isdigit():
            number = int(token)
            if not 1 <= number <= count:
                raise ValueError(f"expr {text!r} names condition {number}, but there are {count}")
            return number
        raise ValueError(f"expr {text!r} has {token!r} where a condition number, 'not' or '(' belongs")

    tree = disjunction()
    if pos != len(tokens):
        raise ValueError(f"expr {text!r} has {tokens[pos]!r} after a complete expression")
    return tree
