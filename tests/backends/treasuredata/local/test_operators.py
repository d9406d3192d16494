"""Every rule operator, flag and construct, evaluated by the local server through the whole
segment query life cycle and compared with the same question asked of the engine in SQL written
by hand (not by the compiler)."""

from __future__ import annotations

import pytest

from tests.backends.treasuredata.local.conftest import B2B, value
from tests.backends.treasuredata.local.conftest import rule as make_rule

ANCHOR_EPOCH = 1767139200  # 2025-12-31T00:00:00Z, the dataset's day (the server's pinned "now")
PURCHASES = "behavior_purchases"


def count(source: str, *, window_days: int | None = None, filter_: dict | None = None, **agg) -> dict:
    left = {
        "aggregation": {"type": "Count", "groupingColumns": []},
        "source": {"name": source},
        "filter": filter_ or {},
    }
    if agg:
        left["aggregation"] = agg
    if window_days:
        left["window"] = {"type": "TimeSliding", "duration": {"day": window_days}}
    return left


def column(name: str, op: str, **operator) -> dict:
    return {"type": "Column", "column": name, "operator": {"type": op, "not": False, **operator}, "arrayMatching": None}


# (label, condition, the WHERE clause over customers answering the same question)
CASES = [
    ("Equal", value("prefecture", "Equal", "Osaka"), "prefecture = 'Osaka'"),
    ("not Equal", value("prefecture", "Equal", "Osaka", not_=True), "prefecture <> 'Osaka'"),
    ("Greater", value("age", "Greater", 60), "age > 60"),
    ("GreaterEqual", value("age", "GreaterEqual", 60), "age >= 60"),
    ("Less", value("lifetime_value", "Less", 5000.5), "lifetime_value < 5000.5"),
    ("LessEqual", value("total_orders", "LessEqual", 2), "total_orders <= 2"),
    ("number as text", value("age", "Equal", "33"), "age = 33"),
    ("Between", value("age", "Between", minValue=30, maxValue=40), "age >= 30 AND age <= 40"),
    ("not Between", value("age", "Between", minValue=30, maxValue=40, not_=True), "age < 30 OR age > 40"),
    ("In text", value("membership_tier", "In", rights=["Gold", "Platinum"]), "membership_tier IN ('Gold', 'Platinum')"),
    ("In numbers", value("age", "In", rights=[20, 30, 40]), "age IN (20, 30, 40)"),
    ("not In", value("membership_tier", "In", rights=["Bronze"], not_=True), "membership_tier <> 'Bronze'"),
    ("IsNull", value("age", "IsNull"), "age IS NULL"),
    ("not IsNull", value("birthday", "IsNull", not_=True), "birthday IS NOT NULL"),
    ("Contain", value("email", "Contain", rights=["sato"]), "email LIKE '%sato%'"),
    ("Contain any", value("email", "Contain", rights=["sato", "ito."]), "email LIKE '%sato%' OR email LIKE '%ito.%'"),
    ("not Contain", value("email", "Contain", rights=["sato"], not_=True), "email NOT LIKE '%sato%'"),
    ("StartWith", value("first_name", "StartWith", rights=["Yu"]), "left(first_name, 2) = 'Yu'"),
    ("EndWith", value("email", "EndWith", rights=["@gmail.com"]), "right(email, 10) = '@gmail.com'"),
    ("StartWith with a wildcard", value("email", "StartWith", rights=["%"]), "left(email, 1) = '%'"),
    ("Regexp", value("email", "Regexp", "^[a-k][a-z]+\\.s"), "regexp_full_match(email, '[a-k][a-z]+\\.s.*')"),
    ("not Regexp", value("email", "Regexp", "gmail", not_=True), "NOT contains(email, 'gmail')"),
    ("boolean", value("is_vip", "Equal", True), "is_vip"),
    ("boolean false", value("email_opt_in", "Equal", False), "NOT email_opt_in"),
    (
        "timestamp",
        value("last_purchase_at", "Greater", {"timestamp": "2025-06-01T00:00:00Z"}),
        "last_purchase_at > TIMESTAMPTZ '2025-06-01 00:00:00+00'",
    ),
    (
        "timestamp text",
        value("first_seen_at", "LessEqual", "2024-01-01T00:00:00Z"),
        "first_seen_at <= TIMESTAMPTZ '2024-01-01 00:00:00+00'",
    ),
    (
        "relative time",
        value("last_purchase_at", "Less", {"last": 90, "unit": "day"}),
        f"epoch(last_purchase_at) < {ANCHOR_EPOCH} - 90 * 86400",
    ),
    ("date", value("birthday", "Less", "1970-01-01"), "birthday < DATE '1970-01-01'"),
    (
        "date Between",
        value("signup_date", "Between", minValue="2020-01-01", maxValue="2020-12-31"),
        "year(signup_date) = 2020",
    ),
    ("exclude keeps NULLs", value("age", "Greater", 40, exclude=True), "age <= 40 OR age IS NULL"),
    ("array any", value("interests", "Equal", "tea", arrayMatching="any"), "list_contains(interests, 'tea')"),
    ("array without arrayMatching is any", value("interests", "Equal", "tea"), "list_contains(interests, 'tea')"),
    (
        "array all",
        value("favorite_categories", "In", rights=["shoes", "bags"], arrayMatching="all"),
        "len(favorite_categories) > 0 AND list_has_all(['shoes', 'bags'], favorite_categories)",
    ),
    (
        "array atLeast",
        value("interests", "In", rights=["tea", "music", "anime"], arrayMatching={"atLeast": 2}),
        "(SELECT count(*) FROM unnest(interests) AS t(v) WHERE v IN ('tea', 'music', 'anime')) >= 2",
    ),
    (
        "array exactly",
        value("favorite_categories", "Equal", "food", arrayMatching={"exactly": 0}),
        "NOT list_contains(favorite_categories, 'food')",
    ),
    (
        "array atMost",
        value("interests", "Contain", rights=["o"], arrayMatching={"atMost": 1}),
        "len([v for v in interests if contains(v, 'o')]) <= 1",
    ),
    (
        "number array",
        value("recent_order_amounts", "Greater", 9000, arrayMatching="any"),
        "list_max(recent_order_amounts) > 9000",
    ),
    ("array IsNull", value("interests", "IsNull"), "interests IS NULL OR len(interests) = 0"),
    (
        "behaviour count in a window",
        value(count("purchases", window_days=365), "GreaterEqual", 3),
        f"cdp_customer_id IN (SELECT cdp_customer_id FROM {PURCHASES} WHERE time >= {ANCHOR_EPOCH} - 365 * 86400"
        " GROUP BY 1 HAVING count(*) >= 3)",
    ),
    (
        "behaviour count zero",
        value(count("purchases"), "Equal", 0),
        f"cdp_customer_id NOT IN (SELECT cdp_customer_id FROM {PURCHASES})",
    ),
    (
        "behaviour sum with a filter",
        value(
            count(
                "purchases",
                filter_={"type": "And", "conditions": [column("channel", "Equal", rightValue="online")]},
                type="Sum",
                column="amount",
                groupingColumns=[],
            ),
            "Greater",
            10000,
        ),
        f"cdp_customer_id IN (SELECT cdp_customer_id FROM {PURCHASES} WHERE channel = 'online'"
        " GROUP BY 1 HAVING sum(amount) > 10000)",
    ),
    (
        "behaviour max",
        value(count("purchases", type="Max", column="amount", groupingColumns=[]), "GreaterEqual", 20000),
        f"cdp_customer_id IN (SELECT cdp_customer_id FROM {PURCHASES} GROUP BY 1 HAVING max(amount) >= 20000)",
    ),
    (
        "behaviour distinct",
        value(count("web_visits", type="CountDistinct", columns=["device"]), "Equal", 3),
        "cdp_customer_id IN (SELECT cdp_customer_id FROM behavior_web_visits GROUP BY 1"
        " HAVING count(DISTINCT device) = 3)",
    ),
    (
        "behaviour last",
        value(
            count("purchases", type="Last", column="channel", orderColumn="time", groupingColumns=[]), "Equal", "app"
        ),
        f"cdp_customer_id IN (SELECT cdp_customer_id FROM {PURCHASES} GROUP BY 1"
        " HAVING arg_max(channel, time) = 'app')",
    ),
    (
        "behaviour filter on an array column",
        value(
            count(
                "purchases",
                filter_={
                    "type": "Or",
                    "conditions": [{**column("coupons", "Equal", rightValue="VIP5"), "arrayMatching": "any"}],
                },
            ),
            "GreaterEqual",
            1,
        ),
        f"cdp_customer_id IN (SELECT cdp_customer_id FROM {PURCHASES} WHERE list_contains(coupons, 'VIP5'))",
    ),
]


@pytest.mark.parametrize(("label", "condition", "where"), CASES, ids=[c[0] for c in CASES])
def test_operator_matches_direct_sql(http, label, condition, where):
    expected = {r["cdp_customer_id"] for r in http.direct(f"SELECT cdp_customer_id FROM customers WHERE {where}")}
    got = http.ids(make_rule(condition))
    assert got == expected
    # Not vacuous: some profiles but not all, except where none is the point ('%' is no wildcard).
    assert len(expected) < 1000 and (expected or label == "StartWith with a wildcard")


def test_and_or_and_nested_groups(http):
    tokyo, vip, young = (
        value("prefecture", "Equal", "Tokyo"),
        value("is_vip", "Equal", True),
        value("age", "Less", 25),
    )
    nested = {
        "type": "Or",
        "conditions": [{"type": "And", "conditions": [tokyo, vip]}, {"type": "And", "conditions": [young]}],
    }
    expected = http.direct("SELECT cdp_customer_id FROM customers WHERE (prefecture = 'Tokyo' AND is_vip) OR age < 25")
    assert http.ids(nested) == {r["cdp_customer_id"] for r in expected}
    either = make_rule(tokyo, young, kind="Or")
    expected = http.direct("SELECT cdp_customer_id FROM customers WHERE prefecture = 'Tokyo' OR age < 25")
    assert http.ids(either) == {r["cdp_customer_id"] for r in expected}


def test_composite_expression(http):
    conditions = [value("prefecture", "Equal", "Osaka"), value("is_vip", "Equal", True), value("age", "IsNull")]
    composite = make_rule(*conditions, kind="Composite", expr="1 and not (2 or 3)")
    expected = http.direct(
        "SELECT cdp_customer_id FROM customers WHERE prefecture = 'Osaka' AND NOT is_vip AND age IS NOT NULL"
    )
    assert http.ids(composite) == {r["cdp_customer_id"] for r in expected}


def test_count_limit_keeps_the_top_profiles(http):
    limit = {
        "type": "Count",
        "number": 25,
        "orderColumns": [{"type": "Column", "column": "loyalty_points", "order": "descending"}],
    }
    status, _, rows = http.rows(
        make_rule(value("prefecture", "Equal", "Tokyo"), limit=limit), columns=["cdp_customer_id"]
    )
    expected = http.direct(
        "SELECT cdp_customer_id FROM customers WHERE prefecture = 'Tokyo'"
        " ORDER BY loyalty_points DESC, cdp_customer_id LIMIT 25"
    )
    assert {r[0] for r in rows} == {r["cdp_customer_id"] for r in expected}
    assert status["count"] == 25


def test_percent_limit(http):
    limit = {
        "type": "Percent",
        "number": 10,
        "orderColumns": [{"type": "Column", "column": "age", "order": "ascending"}],
    }
    got = http.ids(make_rule(value("gender", "Equal", "Female"), limit=limit))
    total = http.direct("SELECT count(*) AS n FROM customers WHERE gender = 'Female'")[0]["n"]
    expected = http.direct(
        "SELECT cdp_customer_id FROM customers WHERE gender = 'Female'"
        f" ORDER BY age NULLS LAST, cdp_customer_id LIMIT ceil({total} * 0.1)"
    )
    assert got == {r["cdp_customer_id"] for r in expected}


def test_reference_to_a_saved_segment(http):
    tokyo_vips = {
        r["cdp_customer_id"]
        for r in http.direct("SELECT cdp_customer_id FROM customers WHERE prefecture = 'Tokyo' AND is_vip")
    }
    inside = http.ids({"type": "And", "conditions": [{"type": "Reference", "id": "1500001", "exclude": False}]})
    outside = http.ids({"type": "And", "conditions": [{"type": "Reference", "id": "1500001", "exclude": True}]})
    assert inside == tokyo_vips
    assert len(outside) == 1000 - len(tokyo_vips) and not outside & tokyo_vips


def test_b2b_rules(http):
    got = http.ids(
        make_rule(value("tags", "Equal", "at-risk", arrayMatching="any"), value("employees", "Greater", 500)), B2B
    )
    expected = http.direct(
        "SELECT cdp_customer_id FROM customers WHERE list_contains(tags, 'at-risk') AND employees > 500", B2B
    )
    assert got == {r["cdp_customer_id"] for r in expected} and got


def test_saved_segment_populations_are_the_engines(http):
    for segment in http.ok("GET", "/audiences/300001/segments"):
        assert segment["population"] == len(http.ids(segment["rule"])), segment["name"]
