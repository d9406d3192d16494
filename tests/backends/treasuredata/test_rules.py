"""The v5 segment rule model: JSON in and out unchanged, every check naming the bad part by its
path, opaque parts kept, Composite expressions parsed."""

from __future__ import annotations

import pytest

from cdpdb.backends.treasuredata import rules
from cdpdb.backends.treasuredata.rules import (
    Aggregate,
    ArrayMatching,
    Attribute,
    Limit,
    Operator,
    OrderColumn,
    Relative,
    Rule,
    RuleError,
    Timestamp,
    Value,
)

# TD's own example (treasure-data/td-mcp-server's tests): nested And, a Contain with rightValues.
TD_EXAMPLE = {
    "type": "And",
    "conditions": [
        {
            "type": "And",
            "conditions": [
                {
                    "type": "Value",
                    "leftValue": {"name": "gender"},
                    "operator": {"not": False, "rightValues": ["Male"], "type": "Contain"},
                    "exclude": False,
                    "limit": None,
                }
            ],
        }
    ],
}


def test_tds_example_parses():
    rule = rules.from_json(TD_EXAMPLE)
    assert rule is not None
    (group,) = rule.conditions
    (cond,) = group.conditions
    assert cond == Value(Attribute("gender"), Operator("Contain", values=("Male",)))
    assert rule.to_json()["conditions"][0]["conditions"][0]["arrayMatching"] is None


ROUND_TRIPS = [
    {
        "type": "Or",
        "conditions": [
            {
                "type": "Value",
                "leftValue": {"name": "age"},
                "operator": {"type": "Between", "not": True, "minValue": 1, "maxValue": 9},
                "exclude": True,
                "arrayMatching": None,
                "limit": None,
            }
        ],
    },
    {
        "type": "Composite",
        "expr": "1 or not 2",
        "conditions": [
            {
                "type": "Value",
                "leftValue": {"name": "tags"},
                "operator": {"type": "In", "not": False, "rightValues": ["a", 2]},
                "exclude": False,
                "arrayMatching": {"atLeast": 2},
                "limit": None,
            },
            {"type": "Reference", "id": "15", "exclude": True},
        ],
    },
    {
        "type": "And",
        "conditions": [
            {
                "type": "Value",
                "leftValue": {"name": "t"},
                "operator": {"type": "Less", "not": False, "rightValue": {"last": 7, "unit": "day"}},
                "exclude": False,
                "arrayMatching": "all",
                "limit": None,
            }
        ],
        "limit": {
            "type": "Percent",
            "number": 5,
            "orderColumns": [{"type": "Column", "column": "t", "order": "descending"}],
        },
    },
    {
        "type": "And",
        "conditions": [
            {
                "type": "Value",
                "leftValue": {
                    "aggregation": {"type": "Sum", "column": "amount", "groupingColumns": []},
                    "source": {"name": "purchases"},
                    "filter": {
                        "type": "Or",
                        "conditions": [
                            {
                                "type": "Column",
                                "column": "channel",
                                "arrayMatching": None,
                                "operator": {"type": "Regexp", "not": False, "rightValue": "^on"},
                            }
                        ],
                    },
                    "window": {"type": "TimeSliding", "duration": {"day": 30}},
                },
                "operator": {"type": "GreaterEqual", "not": False, "rightValue": 100},
                "exclude": False,
                "arrayMatching": None,
                "limit": None,
            }
        ],
    },
    {
        "type": "And",
        "conditions": [
            {"type": "FunnelStageReference", "id": "7", "exclude": False},
            {
                "type": "Value",
                "leftValue": {"name": "x"},
                "operator": {"type": "TimeWithinPast", "unit": "day", "value": "3"},
                "exclude": False,
                "arrayMatching": None,
                "limit": None,
            },
        ],
    },
]


@pytest.mark.parametrize("data", ROUND_TRIPS)
def test_json_round_trips(data):
    rule = rules.from_json(data)
    assert rule.to_json() == data
    assert rules.from_json(rule.to_json()) == rule


def test_opaque_parts_are_kept_not_modelled():
    rule = rules.from_json(ROUND_TRIPS[-1])
    funnel, timed = rule.conditions
    assert isinstance(funnel, rules.Opaque) and funnel.kind == "FunnelStageReference"
    assert isinstance(timed.operator, rules.Opaque) and timed.operator.kind == "TimeWithinPast"


def test_no_rule():
    assert rules.from_json(None) is None and rules.from_json({}) is None


def test_built_in_code():
    rule = Rule(
        "And",
        (Value(Attribute("age"), Operator("Greater", value=3)),),
        limit=Limit(10, (OrderColumn("age", "descending"),)),
    )
    assert rules.from_json(rule.to_json()) == rule
    assert Operator("Equal", value=Timestamp("2024-01-01T00:00:00Z")).to_json()["rightValue"] == {
        "timestamp": "2024-01-01T00:00:00Z"
    }
    assert Operator("Less", value=Relative(3, "week")).to_json()["rightValue"] == {"last": 3, "unit": "week"}
    assert ArrayMatching("exactly", 2).to_json() == {"exactly": 2}
    assert Aggregate("purchases", "Count").to_json()["aggregation"] == {"type": "Count", "groupingColumns": []}
    with pytest.raises(RuleError, match="rightValues"):
        Operator("In")
    with pytest.raises(RuleError, match="needs an expr"):
        Rule("Composite", (Value(Attribute("a"), Operator("IsNull")),))


def cond(**operator) -> dict:
    return {"type": "Value", "leftValue": {"name": "a"}, "operator": operator}


BAD = [
    ([], "", "JSON object"),
    ({"type": "Xor", "conditions": []}, "type", "one of And, Or, Composite"),
    ({"type": "And"}, "conditions", "list"),
    ({"type": "And", "conditions": [{"type": "Nope"}]}, "conditions[0].type", "unknown condition type"),
    ({"type": "And", "conditions": [cond(type="Like")]}, "conditions[0].operator.type", "unknown operator"),
    ({"type": "And", "conditions": [cond(type="Equal")]}, "conditions[0].operator.rightValue", "needs a rightValue"),
    (
        {"type": "And", "conditions": [cond(type="Equal", rightValue=[1])]},
        "conditions[0].operator.rightValue",
        "must be",
    ),
    (
        {"type": "And", "conditions": [cond(type="In", rightValues=[])]},
        "conditions[0].operator.rightValues",
        "at least one",
    ),
    (
        {"type": "And", "conditions": [cond(type="Contain", rightValues=[1])]},
        "conditions[0].operator.rightValues[0]",
        "text",
    ),
    ({"type": "And", "conditions": [cond(type="Between", minValue=1)]}, "conditions[0].operator.maxValue", "Between"),
    (
        {"type": "And", "conditions": [cond(type="Regexp", rightValue="")]},
        "conditions[0].operator.rightValue",
        "pattern",
    ),
    (
        {"type": "And", "conditions": [cond(type="IsNull", **{"not": "yes"})]},
        "conditions[0].operator.not",
        "true or false",
    ),
    ({"type": "And", "conditions": [{**cond(type="IsNull"), "exclude": 1}]}, "conditions[0].exclude", "true or false"),
    (
        {"type": "And", "conditions": [{**cond(type="IsNull"), "arrayMatching": "some"}]},
        "conditions[0].arrayMatching",
        "any, all",
    ),
    (
        {"type": "And", "conditions": [{**cond(type="IsNull"), "arrayMatching": {"atLeast": -1}}]},
        "conditions[0].arrayMatching.atLeast",
        "zero or more",
    ),
    (
        {"type": "And", "conditions": [{"type": "Value", "leftValue": {}, "operator": {"type": "IsNull"}}]},
        "conditions[0].leftValue.name",
        "non-empty text",
    ),
    ({"type": "Composite", "conditions": []}, "expr", "needs an expr"),
    ({"type": "Composite", "conditions": [cond(type="IsNull")], "expr": "1 and 2"}, "expr", "there are 1"),
    ({"type": "Composite", "conditions": [cond(type="IsNull")], "expr": "(1"}, "expr", "ends too early"),
    ({"type": "And", "conditions": [], "limit": {"number": 1.5}}, "limit.number", "integer"),
    ({"type": "And", "conditions": [], "limit": {"type": "Percent", "number": 101}}, "limit.number", "at most 100"),
    (
        {
            "type": "And",
            "conditions": [],
            "limit": {"number": 1, "orderColumns": [{"type": "Aggregation", "order": "ascending"}]},
        },
        "limit.orderColumns[0].type",
        "Column",
    ),
    (
        {
            "type": "And",
            "conditions": [
                {
                    "type": "Value",
                    "leftValue": {"aggregation": {"type": "Median"}, "source": {"name": "p"}},
                    "operator": {"type": "IsNull"},
                }
            ],
        },
        "conditions[0].leftValue.aggregation.type",
        "one of",
    ),
    ({"type": "And", "conditions": [{"type": "Reference", "exclude": False}]}, "conditions[0].id", "id of a segment"),
]


@pytest.mark.parametrize(("data", "path", "words"), BAD, ids=[b[1] or "root" for b in BAD])
def test_errors_name_the_bad_part(data, path, words):
    with pytest.raises(RuleError) as caught:
        rules.from_json(data)
    assert caught.value.path == path
    assert words in str(caught.value)


def test_composite_expressions():
    assert rules.parse_expr("1 AND (2 OR NOT 3)", 3) == ("and", (1, ("or", (2, ("not", (3,))))))
    assert rules.parse_expr("1 or 2 and 3", 3) == ("or", (1, ("and", (2, 3))))
    for bad in ("", "1 2", "and", "4", "1 xor 2"):
        with pytest.raises(ValueError):
            rules.parse_expr(bad, 3)
