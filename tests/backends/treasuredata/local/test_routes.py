"""Every route's answer in the documented shape: the seed's response examples field for field
(segment, query status, error), the OpenAPI's fields for the rest."""

from __future__ import annotations

import sqlglot

from tests.backends.treasuredata.local.conftest import B2B, CUSTOMERS_JP, rule, value

# The seed's (../shared/seeds/001_*) response examples, field for field.
SEGMENT_FIELDS = {
    "audienceId",
    "id",
    "name",
    "realtime",
    "kind",
    "description",
    "segmentFolderId",
    "population",
    "createdAt",
    "updatedAt",
    "createdBy",
    "updatedBy",
    "rule",
}
USER_FIELDS = {"id", "td_user_id", "name"}
QUERY_FIELDS = {"id", "queryId", "status", "count", "maxPage", "error", "jobid", "countJobid", "customerGroupCount"}
ERROR_FIELDS = {"code", "message"}
ATTRIBUTE_FIELDS = {
    "audienceId",
    "id",
    "name",
    "type",
    "parentDatabaseName",
    "parentTableName",
    "parentColumn",
    "parentKey",
    "foreignKey",
    "matrixColumnName",
    "matrixColumnDescription",
    "usedBySegmentInsight",
    "groupingName",
    "visibility",
}
TYPES = {"string", "number", "timestamp", "date", "string_array", "number_array", "boolean"}


def _is_time(text: str) -> bool:
    return len(text) == 24 and text[10] == "T" and text.endswith("Z")


def test_parent_segments(http):
    audiences = http.ok("GET", "/audiences")
    assert [a["id"] for a in audiences] == [CUSTOMERS_JP, B2B]
    jp = http.ok("GET", f"/audiences/{CUSTOMERS_JP}")
    assert jp == audiences[0]
    assert jp["name"] == "Customers JP" and jp["population"] == 1000
    assert {"master", "attributes", "behaviors", "scheduleType", "timezone", "createdBy"} <= set(jp)
    assert set(jp["master"]) == {"parentDatabaseName", "parentTableName"}
    assert all(
        set(a) >= {"audienceId", "name", "type", "parentColumn", "parentKey", "foreignKey"} for a in jp["attributes"]
    )


def test_entities_parent_segments(http):
    listed = http.ok("GET", "/entities/parent_segments")
    assert [item["data"]["id"] for item in listed] == [CUSTOMERS_JP, B2B]
    one = http.get(f"/entities/parent_segments/{B2B}")
    assert one.headers["content-type"].startswith("application/vnd.treasuredata.v1+json")
    data = one.json()["data"]
    assert data["type"] == "parentSegment" and data["attributes"]["name"] == "B2B Accounts"
    assert data["relationships"]["parentFolder"]["data"]["type"] == "folder-segment"
    missing = http.get("/entities/parent_segments/999")
    assert missing.status_code == 404
    assert missing.json() == {
        "errors": [{"code": "record-not-found-error", "status": "404", "detail": "Record not found"}]
    }


def test_attributes_cover_every_type_with_their_sources(http):
    for audience, low, high in ((CUSTOMERS_JP, 15, 25), (B2B, 15, 25)):
        attributes = http.ok("GET", f"/audiences/{audience}/attributes")
        assert low <= len(attributes) <= high
        assert {a["type"] for a in attributes} == TYPES
        for a in attributes:
            assert set(a) == ATTRIBUTE_FIELDS and a["audienceId"] == audience
            assert a["parentDatabaseName"] and a["parentTableName"] and a["parentColumn"]


def test_attribute_columns_hold_nulls(http):
    for name in ("email", "age", "last_purchase_at", "birthday", "interests", "email_opt_in"):
        nulls = http.direct(f"SELECT count(*) AS n FROM customers WHERE {name} IS NULL")[0]["n"]
        assert 0 < nulls < 1000, name


def test_behaviors(http):
    behaviors = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/behaviors")
    assert [b["name"] for b in behaviors] == ["purchases", "web_visits"]
    purchases = behaviors[0]
    assert {"id", "name", "parentDatabaseName", "parentTableName", "parentKey", "foreignKey", "schema"} <= set(
        purchases
    )
    assert {c["name"]: c["type"] for c in purchases["schema"]}["amount"] == "number"
    assert all(c["type"] in TYPES and c["parentColumn"] for c in purchases["schema"])
    times = http.direct("SELECT min(time) AS lo, max(time) AS hi FROM behavior_purchases")[0]
    assert 1_600_000_000 < times["lo"] < times["hi"] <= 1767139200


def test_segments_in_the_seed_shape(http):
    segments = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments")
    assert 6 <= len(segments) + len(http.ok("GET", f"/audiences/{B2B}/segments")) <= 12
    for segment in segments:
        assert set(segment) == SEGMENT_FIELDS
        assert set(segment["createdBy"]) == set(segment["updatedBy"]) == USER_FIELDS
        assert isinstance(segment["population"], int) and segment["kind"] == 0 and segment["realtime"] is False
        assert _is_time(segment["createdAt"]) and _is_time(segment["updatedAt"])
        assert segment["rule"]["type"] in ("And", "Or", "Composite")
    one = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments/{segments[0]['id']}")
    assert one == segments[0]


def test_folders_and_their_segments(http):
    folders = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/folders")
    assert {f["name"] for f in folders} == {"Customers JP", "Marketing", "Lifecycle"}
    assert all(
        {"id", "audienceId", "name", "createdAt", "updatedAt", "createdBy", "updatedBy"} <= set(f) for f in folders
    )
    marketing = next(f for f in folders if f["name"] == "Marketing")
    assert http.ok("GET", f"/audiences/{CUSTOMERS_JP}/folders/{marketing['id']}") == marketing
    inside = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/folders/{marketing['id']}/segments")
    assert inside and all(s["segmentFolderId"] == marketing["id"] for s in inside)
    assert http.get(f"/audiences/{B2B}/folders/{marketing['id']}").status_code == 404  # another parent's folder


def test_statistics(http):
    history = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments/1500001/statistics")
    assert len(history) == 30
    assert all(isinstance(e, int) and isinstance(p, int) and isinstance(real, bool) for e, p, real in history)
    population = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments/1500001")["population"]
    assert history[-1][1] == population
    last_week = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments/1500001/statistics?from=2025-12-25&to=2025-12-31")
    assert len(last_week) == 7
    assert http.get(f"/audiences/{CUSTOMERS_JP}/segments/1500001/statistics?from=yesterday").status_code == 400


def test_segment_life_cycle(http):
    base = f"/audiences/{CUSTOMERS_JP}/segments"
    body = {
        "name": "Osaka seniors",
        "description": "60+",
        "rule": rule(value("prefecture", "Equal", "Osaka"), value("age", "GreaterEqual", 60)),
    }
    created = http.ok("POST", base, json=body)
    assert set(created) == SEGMENT_FIELDS
    expected = http.direct("SELECT count(*) AS n FROM customers WHERE prefecture = 'Osaka' AND age >= 60")[0]["n"]
    assert created["population"] == expected
    assert created["rule"] == body["rule"] | {}  # written back as given (complete Value conditions)
    path = f"{base}/{created['id']}"
    assert http.ok("GET", path) == created
    assert http.post(base, json=body).status_code == 400  # the same name twice
    updated = http.ok(
        "PUT",
        path,
        json={
            "name": "Osaka 70+",
            "rule": rule(value("prefecture", "Equal", "Osaka"), value("age", "GreaterEqual", 70)),
        },
    )
    assert updated["name"] == "Osaka 70+" and updated["population"] < created["population"]
    assert updated["createdAt"] == created["createdAt"] and updated["updatedAt"] >= created["updatedAt"]
    assert http.ok("DELETE", path)["id"] == created["id"]
    assert http.get(path).status_code == 404


def test_a_referenced_segment_cannot_be_deleted(http):
    answer = http.call("DELETE", f"/audiences/{CUSTOMERS_JP}/segments/1500001")
    assert answer.status_code == 400 and "Everyone but Tokyo VIPs" in answer.json()["message"]


def test_bad_rules_name_the_bad_part(http):
    base = f"/audiences/{CUSTOMERS_JP}/segments"
    shape = http.post(base, json={"name": "x", "rule": rule(value("age", "Between", minValue=1))})
    assert shape.status_code == 400
    assert (
        set(shape.json()) == ERROR_FIELDS and "conditions[0].conditions[0].operator.maxValue" in shape.json()["message"]
    )
    meaning = http.post(base, json={"name": "x", "rule": rule(value("shoe_size", "Equal", 42))})
    assert meaning.status_code == 422 and "conditions[0].conditions[0].leftValue.name" in meaning.json()["message"]
    wrong_type = http.post(base, json={"name": "x", "rule": rule(value("age", "Contain", rights=["1"]))})
    assert wrong_type.status_code == 422 and "Contain" in wrong_type.json()["message"]


def test_lists(http):
    funnels = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/funnels")
    assert funnels and {"id", "audienceId", "name", "population", "stages"} <= set(funnels[0])
    assert {"id", "name", "funnelId", "segmentId"} <= set(funnels[0]["stages"][0])
    predictive = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/predictive_segments")
    assert predictive and {"id", "audienceId", "segmentId", "name", "accuracy", "gradeThresholds"} <= set(predictive[0])
    tokens = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/tokens")
    assert tokens and len(tokens[0]["attributeColumns"]) <= 5 and tokens[0]["keyColumn"] == "email"
    journeys = http.ok("GET", "/entities/journeys")
    assert {j["type"] for j in journeys["data"]} == {"journey"} and len(journeys["data"]) == 4
    folder = http.ok("GET", f"/audiences/{B2B}/folders")[0]["id"]
    assert {
        j["attributes"]["audienceId"] for j in http.ok("GET", f"/entities/journeys?folder_id={folder}")["data"]
    } == {B2B}


def test_segment_sql_in_tds_own_shape(http):
    path = f"/audiences/{CUSTOMERS_JP}/segments/query"
    everyone = http.ok("POST", path, json={"format": "sql"})
    assert everyone == {"sql": 'select\n  a.*\nfrom "cdp_audience_300001"."customers" a\n'}
    contain = {"type": "And", "conditions": [value("gender", "Contain", rights=["Male"])]}
    answer = http.ok("POST", path, json={"format": "sql", "rule": contain})
    assert answer["sql"] == (
        'select\n  a.*\nfrom "cdp_audience_300001"."customers" a\n'
        "where (\n  (position('Male' in a.\"gender\") > 0)\n)\n"
    )


def test_every_saved_segments_sql_is_trino(http):
    for audience in (CUSTOMERS_JP, B2B):
        for segment in http.ok("GET", f"/audiences/{audience}/segments"):
            sql = http.ok(
                "POST", f"/audiences/{audience}/segments/query", json={"format": "sql", "rule": segment["rule"]}
            )
            sqlglot.parse_one(sql["sql"], read="trino")  # raises on anything Trino would not parse


def test_segment_activations(http):
    activations = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments/1500003/syndications")
    assert len(activations) == 3
    assert all(
        a["segmentId"] == "1500003" and {"id", "name", "scheduleType", "connectionId", "executions"} <= set(a)
        for a in activations
    )
