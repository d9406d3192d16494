"""The local Treasure Data's Trino endpoint, driven by the real ``trino`` package (and by raw
HTTP where the protocol itself is the subject): the SQL ``/segments/query`` returns runs there
and selects exactly the profiles the Audience API's segment query selects; pages, types, cancel,
errors, authentication and faults."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
import requests
import trino
from trino import exceptions as tx

from cdpdb.local.faults import Fault
from tests.backends.treasuredata.local.conftest import B2B, CUSTOMERS_JP, rule, value

EXECUTING = r"^/v1/statement/executing/"


class Trino:
    """``trino.dbapi`` connections to the local server, counting the HTTP answers they get."""

    def __init__(self, td) -> None:
        self.td = td
        self.answers: list[tuple[str, str, int]] = []

    def session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        session.verify = self.td.ca_path
        session.hooks["response"].append(
            lambda r, *a, **k: self.answers.append((r.request.method, urlparse(r.url).path, r.status_code))
        )
        return session

    def connect(self, user: str | None = None, schema: str = f"cdp_audience_{CUSTOMERS_JP}", **kwargs):
        url = urlparse(self.td.site_url)
        return trino.dbapi.connect(
            host=url.hostname,
            port=url.port,
            http_scheme="https",
            user=user or self.td.apikey,
            catalog="td-presto",
            schema=schema,
            http_session=self.session(),
            **kwargs,
        )

    def rows(self, sql: str, **kwargs) -> list[list]:
        cursor = self.connect(**kwargs).cursor()
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture
def tr(td) -> Trino:
    return Trino(td)


def segment_sql(http, body_rule, audience: str = CUSTOMERS_JP) -> str:
    return http.ok("POST", f"/audiences/{audience}/segments/query", json={"format": "sql", "rule": body_rule})["sql"]


RULES = {
    "equal and boolean": rule(value("prefecture", "Equal", "Tokyo"), value("is_vip", "Equal", True)),
    "in, not": rule(value("membership_tier", "In", rights=["Gold", "Platinum"], not_=True)),
    "contain": rule(value("email", "Contain", rights=["icloud"])),
    "between": rule(value("age", "Between", minValue=30, maxValue=40)),
    "is null, exclude": rule(value("gender", "IsNull", exclude=True)),
    "array any": rule(value("interests", "Equal", "travel", arrayMatching="any")),
    "or": rule(value("age", "Less", 25), value("lifetime_value", "GreaterEqual", 5000), kind="Or"),
    "relative time": rule(value("last_purchase_at", "GreaterEqual", {"last": 90, "unit": "day"})),
    "top-N": rule(
        value("age", "GreaterEqual", 20),
        limit={
            "type": "Count",
            "number": 37,
            "orderColumns": [{"type": "Column", "column": "lifetime_value", "order": "descending"}],
        },
    ),
}


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_sql_of_a_rule_selects_on_trino_what_the_segment_query_selects(http, tr, name):
    body_rule = RULES[name]
    sql = segment_sql(http, body_rule)
    assert f'from "cdp_audience_{CUSTOMERS_JP}"."customers" a' in sql
    on_trino = {row[0] for row in tr.rows(f"select cdp_customer_id from ({sql}) s")}
    expected = http.ids(body_rule)
    assert expected, "a rule that selects nobody proves nothing"
    assert on_trino == expected


def test_every_saved_segment_selects_its_population_on_trino(td, http, tr):
    """Saved rules cover behaviours, references, Composite expressions and relative times."""
    for segment in td.store.segments.values():
        sql = http.ok(
            "POST",
            f"/audiences/{segment.audience_id}/segments/query",
            json={"format": "sql", "rule": segment.rule.to_json() if segment.rule else None},
        )["sql"]
        rows = tr.rows(f"select count(*) from ({sql}) s", schema=f"cdp_audience_{segment.audience_id}")
        assert rows == [[segment.population]], segment.name


def test_values_and_types_match_the_audience_api(http, tr):
    """Every attribute type, as the trino package maps it, equals the /customers page's value."""
    body_rule = rule(value("prefecture", "Equal", "Osaka"))
    _, names, api_rows = http.rows(body_rule)
    cursor = tr.connect().cursor()
    cursor.execute(f"select * from ({segment_sql(http, body_rule)}) s order by cdp_customer_id")
    rows = cursor.fetchall()
    types = {d.name: d.type_code for d in cursor.description}
    assert types["email"] == "varchar" and types["lifetime_value"] == "double" and types["is_vip"] == "boolean"
    assert types["last_purchase_at"] == "timestamp(3) with time zone" and types["birthday"] == "date"
    assert types["interests"] == "array(varchar)" and types["recent_order_amounts"] == "array(double)"
    assert [d.name for d in cursor.description] == names
    assert len(rows) == len(api_rows) > 0
    for got, want in zip(rows, sorted(api_rows, key=lambda r: r[0]), strict=True):
        for name, a, b in zip(names, got, want, strict=True):
            if types[name].startswith("timestamp") and a is not None:
                a = a.strftime("%Y-%m-%d %H:%M:%S.") + f"{a.microsecond // 1000:03d}"
            elif types[name] == "date" and a is not None:
                a = a.isoformat()
            assert a == b, (name, a, b)


def test_rows_arrive_over_many_pages(td, tr):
    with td.faults.inject(trino_page_rows=37):
        rows = tr.rows(f'select cdp_customer_id from "cdp_audience_{CUSTOMERS_JP}"."customers"')
    assert len(rows) == 1000 and len({r[0] for r in rows}) == 1000
    pages = [a for a in tr.answers if a[0] == "GET" and a[1].startswith("/v1/statement/executing/")]
    assert len(pages) >= 28  # ceil(1000 / 37) pages, plus any answers while it ran


def test_the_protocol_answers_field_by_field(td, http):
    """Raw HTTP: the POST's answer, the nextUri chain, the last answer without nextUri."""
    headers = {"X-Trino-User": td.apikey, "X-Trino-Catalog": "td-presto", "X-Trino-Schema": f"cdp_audience_{B2B}"}
    first = http.session.post(td.site_url + "/v1/statement", data="select 1 as one, 'x' as two", headers=headers)
    assert first.status_code == 200
    body = first.json()
    assert {"id", "infoUri", "nextUri", "stats"} <= set(body) and body["stats"]["state"] == "QUEUED"
    data, columns, states = [], None, []
    uri = body["nextUri"]
    while uri:
        answer = http.session.get(uri, headers=headers).json()
        states.append(answer["stats"]["state"])
        columns = answer.get("columns") or columns
        data += answer.get("data", [])
        uri = answer.get("nextUri")
    assert data == [[1, "x"]]
    assert columns == [
        {"name": "one", "type": "integer", "typeSignature": {"rawType": "integer", "arguments": []}},
        {
            "name": "two",
            "type": "varchar",
            "typeSignature": {"rawType": "varchar", "arguments": [{"kind": "LONG", "value": 2147483647}]},
        },
    ]
    assert states[-1] == "FINISHED"


def test_delete_of_the_next_uri_cancels_the_statement(td, http):
    headers = {"X-Trino-User": td.apikey}
    with td.faults.inject(query_seconds=30.0):
        started = time.monotonic()
        body = http.session.post(td.site_url + "/v1/statement", data="select 1", headers=headers).json()
        deleted = http.session.delete(body["nextUri"], headers=headers)
        assert deleted.status_code == 204
        answer = http.session.get(body["nextUri"], headers=headers).json()
    assert answer["error"]["errorName"] == "USER_CANCELED" and answer["error"]["errorType"] == "USER_ERROR"
    assert answer["stats"]["state"] == "FAILED"
    query = td.backend.trino.get(body["id"])
    assert query.done.is_set() and time.monotonic() - started < 10  # stopped, not run to its 30 s
    assert body["id"] not in td.backend.running


def test_cancel_from_the_trino_package(td, tr):
    with td.faults.inject(query_seconds=30.0):
        cursor = tr.connect().cursor()
        import threading

        timer = threading.Timer(0.5, cursor.cancel)
        timer.start()
        started = time.monotonic()
        with pytest.raises(tx.TrinoUserError) as raised:
            cursor.execute("select 1")
            cursor.fetchall()
        assert raised.value.error_name == "USER_CANCELED"
        assert time.monotonic() - started < 10
    timer.join(10)  # the cancel's own DELETE may still be on its way back when the query sees it end
    assert any(a[0] == "DELETE" and a[2] == 204 for a in tr.answers)


@pytest.mark.parametrize(
    ("sql", "name", "code"),
    [
        ("selec 1", "SYNTAX_ERROR", 1),
        ("select * from nowhere", "TABLE_NOT_FOUND", 46),
        ("select nothing from customers", "COLUMN_NOT_FOUND", 47),
        ('select * from "cdp_audience_9"."customers"', "SCHEMA_NOT_FOUND", 45),
        ('select * from "hive"."cdp_audience_300001"."customers"', "CATALOG_NOT_FOUND", 44),
        ("delete from customers", "NOT_SUPPORTED", 13),
        ("select no_such_function(1)", "FUNCTION_NOT_FOUND", 6),
        ("select cast('x' as integer)", "INVALID_CAST_ARGUMENT", 9),
        ("select cast(9223372036854775807 as bigint) + 1", "NUMERIC_VALUE_OUT_OF_RANGE", 19),
    ],
)
def test_errors_have_trinos_names_codes_and_types(tr, sql, name, code):
    with pytest.raises(tx.TrinoUserError) as raised:
        tr.rows(sql)
    assert (raised.value.error_name, raised.value.error_code, raised.value.error_type) == (name, code, "USER_ERROR")
    assert raised.value.query_id


def test_a_syntax_error_has_its_location(tr):
    with pytest.raises(tx.TrinoUserError) as raised:
        tr.rows("select 1\nfrom customers where")
    assert raised.value.error_location is not None and raised.value.error_location[0] == 2


@pytest.mark.parametrize(("who", "status"), [("nobody/123", 401), ("write", 403)])
def test_the_user_must_be_a_master_key(td, tr, who, status):
    user = td.write_only_apikey if who == "write" else who
    with pytest.raises(tx.HttpError):
        tr.rows("select 1", user=user)
    assert tr.answers[-1][2] == status


def test_another_users_next_uri_is_not_found(td, http):
    body = http.session.post(td.site_url + "/v1/statement", data="select 1", headers={"X-Trino-User": td.apikey}).json()
    other = http.session.get(body["nextUri"], headers={"X-Trino-User": td.other_apikey})
    assert other.status_code == 404
    wrong_slug = body["nextUri"].replace(td.backend.trino.get(body["id"]).slug, "0" * 16)
    assert http.session.get(wrong_slug, headers={"X-Trino-User": td.apikey}).status_code == 404


def test_503s_are_retried_by_the_trino_package(td, tr):
    with td.faults.inject(Fault(status=503, count=2, path=EXECUTING, method="GET")):
        rows = tr.rows("select 42")
    assert rows == [[42]]
    assert [a[2] for a in tr.answers if a[0] == "GET"][:3] == [503, 503, 200]


def test_503s_that_last_are_surfaced(td, tr):
    with td.faults.inject(Fault(status=503, count=-1, path=EXECUTING, method="GET")):
        with pytest.raises(tx.Http503Error):
            tr.rows("select 42", max_attempts=2)
    assert [a[2] for a in tr.answers if a[0] == "GET"] == [503, 503]
