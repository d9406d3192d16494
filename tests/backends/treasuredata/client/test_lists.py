"""The Audience API's lists as tables, against the local Treasure Data: every row equals what the
raw API answers; every pushed activation filter shows in the request the client sent, narrows
what the server served, and gives the same rows as the unpushed SQL over the whole table."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
import sqlalchemy

import cdpdb
from cdpdb.backends.treasuredata.local import serve
from tests.backends.treasuredata.local.conftest import B2B, CUSTOMERS_JP, Http

PARENTS = (CUSTOMERS_JP, B2B)
PAGE = 5  # activations per listing page: several pages per parent segment
ACTIVATIONS_LOG = "cdpdb.backends.treasuredata.activations"
LISTS_LOG = "cdpdb.backends.treasuredata.lists"
USER_KEYS = {"Id": "id", "TdUserId": "td_user_id", "Name": "name"}


@pytest.fixture(scope="module")
def td():
    with serve(scale=1000) as server:
        yield server


@pytest.fixture(scope="module")
def http(td) -> Http:
    return Http(td)


@pytest.fixture
def conn(td):
    with cdpdb.connect(backend="treasuredata", activation_page_size=PAGE, **td.connect_args()) as connection:
        yield connection


def rows_of(conn, sql: str) -> list[dict[str, Any]]:
    cur = conn.cursor()
    cur.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def api_value(item: dict[str, Any], column: str) -> Any:
    """What the raw item says for ``column``: its own key, or a flattened user's part."""
    for role in ("createdBy", "updatedBy"):
        if column.startswith(role) and column[len(role) :] in USER_KEYS and isinstance(item.get(role), dict):
            return item[role][USER_KEYS[column[len(role) :]]]
    return item.get(column)


def same(sql_value: Any, raw: Any) -> bool:
    if raw is None:
        return sql_value is None
    if isinstance(sql_value, dt.datetime):
        parsed = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        return sql_value == parsed
    if isinstance(sql_value, dt.date):
        return sql_value == dt.date.fromisoformat(raw)
    if isinstance(raw, (dict, list)) and isinstance(sql_value, str):
        return json.loads(sql_value) == raw
    if isinstance(sql_value, str) and not isinstance(raw, str):
        return sql_value == str(raw)
    return bool(sql_value == raw)


def assert_rows_equal_items(rows: list[dict[str, Any]], items: list[dict[str, Any]], flattened: set[str]) -> None:
    """Each row is the item with the same key, column by column; no field of an item is dropped."""
    assert len(rows) == len(items) and items
    by_key = {(row.get("audienceId"), row["id"]): row for row in rows}
    for item in items:
        row = by_key[(item.get("audienceId"), str(item["id"]))]
        assert set(item) - set(row) <= flattened, set(item) - set(row)
        for column, value in row.items():
            assert same(value, api_value(item, column)), (column, value, api_value(item, column))


@pytest.mark.parametrize(
    ("table", "path"),
    [
        ("folders", "folders"),
        ("funnels", "funnels"),
        ("predictive_segments", "predictive_segments"),
        ("tokens", "tokens"),
    ],
)
def test_per_parent_lists_equal_the_api(conn, http, table, path):
    items = [item for parent in PARENTS for item in http.ok("GET", f"/audiences/{parent}/{path}")]
    assert_rows_equal_items(rows_of(conn, f"SELECT * FROM {table}"), items, {"createdBy", "updatedBy"})
    table_object = conn.session.tables[table]
    assert table_object.primary_key == ("id",) and table_object.comment


def test_journeys_flatten_json_api(conn, http):
    body = http.ok("GET", "/entities/journeys")
    items = []
    for resource in body["data"]:
        related = {name: rel["data"]["id"] for name, rel in resource["relationships"].items()}
        items.append(
            {
                **resource["attributes"],
                "id": resource["id"],
                "parentFolderId": related["parentFolder"],
                "createdById": related["createdBy"],
                "updatedById": related["updatedBy"],
            }
        )
    assert_rows_equal_items(rows_of(conn, "SELECT * FROM journeys"), items, set())


def raw_activations(http: Http) -> list[dict[str, Any]]:
    """Every activation of every parent segment: its root folder's listing, cursor followed."""
    items = []
    for parent in PARENTS:
        root = next(f for f in http.ok("GET", f"/audiences/{parent}/folders") if f["parentFolderId"] is None)
        after = None
        while True:
            query = f"?page[size]=100&page[after]={after}" if after else "?page[size]=100"
            answer = http.ok("GET", f"/audiences/{parent}/folders/{root['id']}/syndications{query}")
            items += [{**a, "audienceId": parent} for a in answer["syndications"]]
            if not answer["pagination"]["hasNext"]:
                break
            after = answer["pagination"]["nextPage"]
    return items


def test_activations_equal_the_api_across_pages(conn, http, caplog):
    caplog.set_level(logging.DEBUG, logger=ACTIVATIONS_LOG)
    items = raw_activations(http)
    rows = rows_of(conn, "SELECT * FROM activations")
    for item in items:
        item["folderId"], item["folderName"] = item["folder"][-1]["id"], item["folder"][-1]["name"]
    assert_rows_equal_items(rows, items, {"createdBy", "updatedBy", "folder"})
    sent = requests_sent(caplog)
    assert len(sent) >= 2 * len(PARENTS) and all(q["page[size]"] == [str(PAGE)] for _, q in sent)
    assert sum("page[after]" in q for _, q in sent) >= len(items) // PAGE - len(PARENTS)
    assert served(caplog) == len(items)


def requests_sent(caplog) -> list[tuple[str, dict[str, list[str]]]]:
    """(path, query) of every activation listing request the client made."""
    out = []
    for record in caplog.records:
        message = record.getMessage()
        if record.name == ACTIVATIONS_LOG and message.startswith("activations: GET ") and "/syndications" in message:
            url = urlsplit(message.split("GET ", 1)[1])
            out.append((url.path, parse_qs(url.query)))
    return out


def served(caplog) -> int:
    return sum(
        int(r.getMessage().split()[2])
        for r in caplog.records
        if r.name == ACTIVATIONS_LOG and r.getMessage().startswith("activations: served ")
    )


@pytest.fixture(scope="module")
def everything(td):
    """Every activation, read once with nothing pushed, for DuckDB to answer the same SQL over."""
    with cdpdb.connect(backend="treasuredata", **td.connect_args()) as connection:
        cur = connection.cursor()
        cur.execute("SELECT * FROM activations")
        return cur.fetch_arrow_table()


def unpushed(everything, sql: str) -> list[tuple]:
    frame = everything  # noqa: F841 - read by DuckDB by name
    answer = duckdb.sql(sql.replace("FROM activations", "FROM frame")).to_arrow_table()
    return [tuple(row.values()) for row in answer.to_pylist()]  # through Arrow, as the cursor converts


FILTERS = [
    ("name LIKE '%VIP%'", {"name_include": ["VIP"]}),
    ("name = 'Tokyo VIPs to Amazon S3 #1'", {"name_include": ["Tokyo VIPs to Amazon S3 #1"]}),
    ("name LIKE 'Gmail%#2'", {"name_include": ["Gmail"]}),  # the longest literal run of the pattern
    ("name LIKE '%vip%'", {"name_include": ["vip"]}),  # TD ignores case, DuckDB does not: inexact
    ("segmentName LIKE '%high value%'", {"segment_name_include": ["high value"]}),
    ("startAt >= TIMESTAMP '2025-06-01 00:00:00'", {"start_after": ["2025-05-31T10:00:00"]}),
    ("startAt < DATE '2025-03-01'", {"start_before": ["2025-03-01T14:00:00"]}),
    (
        "startAt BETWEEN '2025-01-01' AND '2025-06-30 12:00:00'",
        {"start_after": ["2024-12-31T10:00:00"], "start_before": ["2025-07-01T02:00:00"]},
    ),
    ("connectionType IN ('sftp', 'braze')", {"connection_type": ["sftp", "braze"]}),
    ("scheduleStatus = 'active'", {"schedule_status": ["active"]}),
    ("repeatUnit IN ('day', 'week')", {"repeat_unit": ["day,week"]}),
    ("activationTemplateId = '700001'", {"activation_template_id": ["700001"]}),
    ("createdByTdUserId IN ('1002', 1003)", {"created_by_td_user_id": ["1002,1003"]}),
    (
        "scheduleStatus IN ('active', 'scheduled', 'inactive') AND connectionType <> 'sftp' AND name LIKE '%#1'",
        {"schedule_status": ["active,scheduled,inactive"], "name_include": ["#1"]},
    ),
]


@pytest.mark.parametrize(("where", "params"), FILTERS)
def test_each_pushed_filter_reaches_the_server_and_keeps_the_result(conn, everything, caplog, where, params):
    caplog.set_level(logging.DEBUG, logger=ACTIVATIONS_LOG)
    sql = f"SELECT * FROM activations WHERE {where} ORDER BY audienceId, id"
    rows = conn.cursor().execute(sql).fetchall()
    assert rows == unpushed(everything, sql)
    assert rows or "vip" in where  # a filter that keeps something (the lower-case one keeps nothing)
    sent = requests_sent(caplog)
    assert sent and all({k: q.get(k) for k in params} == params for _, q in sent)
    assert served(caplog) < everything.num_rows  # the server filtered


@pytest.mark.parametrize(
    "where",
    [
        "scheduleStatus = 'bogus'",  # not a documented status: TD might refuse it, so DuckDB filters
        "name ILIKE '%vip%'",
        "activationTemplateId IS NULL",  # TD's "none" misses activations whose template was deleted
        "startAt >= TIMESTAMPTZ '2025-06-01 00:00:00+09'",  # a zone against a column without one
        "lower(name) LIKE '%vip%' OR scheduleStatus = 'active'",
    ],
)
def test_what_is_not_pushed_is_read_whole_and_filtered_by_duckdb(conn, everything, caplog, where):
    caplog.set_level(logging.DEBUG, logger=ACTIVATIONS_LOG)
    sql = f"SELECT * FROM activations WHERE {where} ORDER BY audienceId, id"
    assert conn.cursor().execute(sql).fetchall() == unpushed(everything, sql)
    assert all(set(q) == {"page[size]"} or set(q) == {"page[size]", "page[after]"} for _, q in requests_sent(caplog))
    assert served(caplog) == everything.num_rows


def test_contradicting_filters_ask_the_server_nothing(conn, caplog):
    caplog.set_level(logging.DEBUG, logger=ACTIVATIONS_LOG)
    cur = conn.cursor().execute(
        "SELECT id FROM activations WHERE scheduleStatus = 'active' AND scheduleStatus = 'none'"
    )
    assert cur.fetchall() == [] and requests_sent(caplog) == []


def test_parent_segment_and_folder_predicates_choose_the_listings(conn, everything, caplog):
    caplog.set_level(logging.DEBUG, logger=ACTIVATIONS_LOG)
    sql = f"SELECT id FROM activations WHERE audienceId = '{B2B}' ORDER BY id"
    assert conn.cursor().execute(sql).fetchall() == unpushed(everything, sql)
    assert {path.split("/")[2] for path, _ in requests_sent(caplog)} == {B2B}
    caplog.clear()
    marketing = "800002"
    sql = f"SELECT id, folderId FROM activations WHERE folderId = '{marketing}' ORDER BY id"
    rows = conn.cursor().execute(sql).fetchall()
    assert rows == unpushed(everything, sql) and rows
    assert {path for path, _ in requests_sent(caplog)} == {
        f"/audiences/{CUSTOMERS_JP}/folders/{marketing}/syndications"
    }


def test_limit_stops_paging_early(conn, caplog):
    caplog.set_level(logging.DEBUG, logger=ACTIVATIONS_LOG)
    rows = conn.cursor().execute(f"SELECT id FROM activations WHERE audienceId = '{CUSTOMERS_JP}' LIMIT 3").fetchall()
    assert len(rows) == 3
    assert len(requests_sent(caplog)) == 1 and served(caplog) == PAGE


@pytest.mark.parametrize(
    ("sql", "sort"),
    [
        ("SELECT * FROM activations ORDER BY startAt DESC LIMIT 7", "start_at:desc"),
        ("SELECT * FROM activations ORDER BY createdAt DESC, startAt LIMIT 5", "created_at:desc"),
        ("SELECT * FROM activations WHERE scheduleStatus <> 'none' ORDER BY createdAt LIMIT 4", None),
        ("SELECT * FROM activations WHERE connectionType = 'sftp' ORDER BY updatedAt DESC LIMIT 2", "updated_at:desc"),
        ("SELECT * FROM activations WHERE name LIKE '%#2' ORDER BY startAt LIMIT 3", "start_at:asc"),
        ("SELECT * FROM activations WHERE name LIKE '%vip%' ORDER BY startAt LIMIT 3", "start_at:asc"),
    ],
)
def test_order_by_a_time_becomes_sorted_by_and_limit_reads_only_what_it_needs(conn, everything, caplog, sql, sort):
    caplog.set_level(logging.DEBUG, logger=ACTIVATIONS_LOG)
    assert conn.cursor().execute(sql).fetchall() == unpushed(everything, sql)
    sent = requests_sent(caplog)
    assert all(q.get("sorted_by") == ([sort] if sort else None) for _, q in sent)
    if sort and "vip" not in sql:
        assert served(caplog) < everything.num_rows  # it stopped before the end


def test_order_by_a_name_is_left_to_duckdb(conn, everything, caplog):
    caplog.set_level(logging.DEBUG, logger=ACTIVATIONS_LOG)
    sql = "SELECT name FROM activations ORDER BY name LIMIT 3"
    assert conn.cursor().execute(sql).fetchall() == unpushed(everything, sql)
    assert all("sorted_by" not in q for _, q in requests_sent(caplog))
    assert served(caplog) == everything.num_rows


def test_other_lists_push_their_parent_segment_and_folder(conn, http, caplog):
    caplog.set_level(logging.DEBUG, logger=LISTS_LOG)
    rows = rows_of(conn, f"SELECT id FROM folders WHERE audienceId IN ('{B2B}')")
    assert {r["id"] for r in rows} == {f["id"] for f in http.ok("GET", f"/audiences/{B2B}/folders")}
    asked = [r.getMessage() for r in caplog.records if r.name == LISTS_LOG]
    assert asked == [f"folders: GET {http.td.site_url}/audiences/{B2B}/folders"]
    caplog.clear()
    rows = rows_of(conn, "SELECT id, parentFolderId FROM journeys WHERE parentFolderId = '800001' ORDER BY id")
    every = rows_of(conn, "SELECT id, parentFolderId FROM journeys ORDER BY id")
    assert rows == [r for r in every if r["parentFolderId"] == "800001"] and rows
    assert any(m.getMessage().endswith("?folder_id=800001") for m in caplog.records if m.name == LISTS_LOG)


def test_sqlalchemy_reflects_the_lists(td):
    args = td.connect_args()
    host = args["site_url"].split("://", 1)[1]
    engine = sqlalchemy.create_engine(
        f"treasuredata://{host}/", connect_args={"apikey": args["apikey"], "ca_bundle": args["ca_bundle"]}
    )
    inspector = sqlalchemy.inspect(engine)
    names = set(inspector.get_table_names())
    assert {"folders", "activations", "funnels", "predictive_segments", "tokens", "journeys"} <= names
    assert inspector.get_pk_constraint("activations")["constrained_columns"] == ["audienceId", "id"]
    columns = {c["name"]: str(c["type"]) for c in inspector.get_columns("activations")}
    assert columns["startAt"] == "DATETIME" and columns["lastRecordCount"] == "BIGINT"
    assert inspector.get_table_comment("journeys")["text"]
    engine.dispose()


def test_json_text_columns_answer_duckdbs_json_operators(conn, http):
    funnel = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/funnels")[0]
    rows = rows_of(conn, f"SELECT stages->>'$[1].name' AS second FROM funnels WHERE audienceId = '{CUSTOMERS_JP}'")
    assert rows == [{"second": funnel["stages"][1]["name"]}]


def test_a_limited_listing_reads_through_ties_and_past_leading_nulls():
    """The stop rule alone (no server): rows tied with the n-th are read too, NULL keys that a
    server may sort first are not counted, and a key after the n-th ends the listing."""
    from cdpdb.backends.treasuredata.activations import _Listing
    from cdpdb.core.sqlapi.tables import Order, Scan

    scan = Scan(("id",), order=(Order("startAt", descending=True),), limit=2)
    listing = _Listing(None, CUSTOMERS_JP, "1", {}, scan)  # type: ignore[arg-type]  # no request is made
    keys = [None, None, "2025-03-01T00:00:00", "2025-02-01T00:00:00", "2025-02-01T00:00:00", "2025-01-01T00:00:00"]
    assert [listing._enough({"startAt": key}) for key in keys] == [False, False, False, False, False, True]
    unordered = _Listing(None, CUSTOMERS_JP, "1", {}, Scan(("id",), limit=1))  # type: ignore[arg-type]
    assert [unordered._enough({"startAt": key}) for key in keys[:2]] == [False, True]
