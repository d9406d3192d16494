"""Parameter binding and the V1/V2 dialect: unit tests of pure functions, then hostile values
round-tripped through the real server."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdpdb.backends.salesforce.local.sqltext import BadRequest, Parameter, bind, order_by_clause, translate_legacy
from cdpdb.local.engine import EngineError

NAMES = {"ssot__individual__dlm": "ssot__Individual__dlm", "ssot__id__c": "ssot__Id__c"}


def test_placeholders_inside_strings_comments_and_identifiers_are_left_alone():
    sql = "SELECT ?, '?', \"?\", $$?$$, E'\\'?' -- ?\n/* ? */ FROM t WHERE x::text = ?"
    out = bind(sql, "QUESTION_MARK", [Parameter("a", "text"), Parameter("b", "text")])
    assert out == (
        "SELECT CAST('a' AS text), '?', \"?\", $$?$$, E'\\'?' -- ?\n/* ? */ FROM t WHERE x::text = CAST('b' AS text)"
    )


def test_named_and_dollared_styles_and_nulls():
    params = [Parameter("1", "bigint", "a"), Parameter(None, "date", "b")]
    assert (
        bind("SELECT :b, :a, :a", "NAMED", params)
        == "SELECT CAST(NULL AS date), CAST('1' AS bigint), CAST('1' AS bigint)"
    )
    assert bind("SELECT $2, $1", "DOLLARED", params) == "SELECT CAST(NULL AS date), CAST('1' AS bigint)"


@pytest.mark.parametrize(
    ("sql", "style", "params", "message"),
    [
        ("SELECT ?, ?", "QUESTION_MARK", [Parameter("a", "text")], "more placeholders"),
        ("SELECT 1", "QUESTION_MARK", [Parameter("a", "text")], "not used"),
        ("SELECT :x", "NAMED", [Parameter("a", "text", "y")], ":x"),
        ("SELECT $3", "DOLLARED", [Parameter("a", "text")], "more placeholders"),
        ("SELECT ?", "PYFORMAT", [Parameter("a", "text")], "paramStyle"),
        ("SELECT ?", "QUESTION_MARK", [Parameter("a\x00b", "text")], "NUL"),
    ],
)
def test_binding_errors_are_bad_requests(sql, style, params, message):
    with pytest.raises(BadRequest, match=message):
        bind(sql, style, params)


def test_legacy_translation_quotes_known_names_and_names_outputs():
    out = translate_legacy("select SSOT__ID__C, count(*) c, lower(x) from ssot__individual__dlm group by 1, 3", NAMES)
    assert out.sql == (
        'SELECT "ssot__Id__c" AS "SSOT__ID__C", COUNT(*) AS "c", LOWER(x) AS "_col2" '
        'FROM "ssot__Individual__dlm" GROUP BY 1, 3'
    )
    assert out.aggregates == (False, True, False)


@pytest.mark.parametrize(
    "sql",
    ["INSERT INTO t VALUES (1)", "DROP TABLE t", "SELECT 1; SELECT 2", "SELEC 1", "'0000", 'SELECT "unterminated'],
)
def test_legacy_translation_refuses_non_queries(sql):
    with pytest.raises(EngineError):
        translate_legacy(sql, NAMES)


def test_order_by_clause_accepts_only_columns_and_directions():
    assert order_by_clause("a desc, B", ["A", "b"]) == '"A" DESC, "b" ASC'
    for bad in ["a; drop", "a DESC NULLS", "1=1", "a ASC)", ""]:
        with pytest.raises(BadRequest):
            order_by_clause(bad, ["a"])


hostile = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=300
) | st.sampled_from(
    ["'; DROP TABLE x; --", "\\", "\\'", "''", "$$", "$1", "?", ":name", '"', "/*", "--", "é\u202e\U0001f600"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile, style=st.sampled_from(["QUESTION_MARK", "NAMED", "DOLLARED"]))
def test_hostile_strings_round_trip_through_the_server(api, token, value, style):
    placeholder = {"QUESTION_MARK": "?", "NAMED": ":v", "DOLLARED": "$1"}[style]
    answer = api.direct(
        "POST",
        "/api/v3/query",
        token=token,
        json={
            "sql": f"SELECT {placeholder} AS v, '?' AS q",
            "paramStyle": style,
            "parameters": [{"name": "v", "type": "varchar", "value": value}],
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == [[value, "?"]]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile)
def test_hostile_strings_round_trip_through_connect(api, value):
    answer = api.connect(
        "POST", "", json={"sql": "SELECT :v AS v", "sqlParameters": [{"name": "v", "type": "Varchar", "value": value}]}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == [[value]]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=80))
def test_json_encoding_of_any_text_is_exact(api, cloud, value):
    """Whatever text is stored, every JSON API gives it back unchanged (escaping is vectorised)."""
    import pyarrow as pa

    if "\x00" in value:
        return
    cloud.load("Echo__dll", pa.table({"v": [value]}))
    rows = api.direct("POST", "/api/v2/query", json={"sql": "SELECT v FROM Echo__dll"})
    assert rows.status_code == 200, rows.text
    assert rows.json()["data"] == [[value]]
