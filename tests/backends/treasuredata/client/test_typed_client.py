"""The typed client ``cdpdb.treasuredata`` against the local Treasure Data: every object equals the
raw API answer field for field, with typed values; writes change the server; errors (REST and
JSON:API) map to the PEP 249 tree by their data. Also the behaviour tables and
``segment_statistics``."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import sqlalchemy

import cdpdb
import cdpdb.treasuredata as tdc
from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.local import serve
from cdpdb.local.faults import Fault
from tests.backends.treasuredata.local.conftest import B2B, CUSTOMERS_JP, Http

HTTP_LOG = "cdpdb.core.http"
STATS_LOG = "cdpdb.backends.treasuredata.statistics"


@pytest.fixture(scope="module")
def td():
    with serve(scale=300, seed=11) as server:
        yield server


@pytest.fixture(scope="module")
def http(td) -> Http:
    return Http(td)


@pytest.fixture
def conn(td):
    with cdpdb.connect(backend="treasuredata", **td.connect_args()) as connection:
        yield connection


@pytest.fixture
def client(conn) -> tdc.AudienceClient:
    return tdc.client(conn)


def utc(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def user_of(raw: dict | None) -> tdc.User | None:
    return None if raw is None else tdc.User(raw["id"], raw["td_user_id"], raw["name"])


def test_parent_segments_attributes_and_behaviours(client, http):
    raw = http.ok("GET", "/audiences")
    parents = client.parent_segments()
    assert [p.id for p in parents] == [str(r["id"]) for r in raw] == [CUSTOMERS_JP, B2B]
    for parent, item in zip(parents, raw, strict=True):
        assert (parent.name, parent.description, parent.population, parent.schedule_type, parent.timezone) == (
            item["name"],
            item["description"],
            item["population"],
            item["scheduleType"],
            item["timezone"],
        )
        assert parent.created_at == utc(item["createdAt"]) and parent.created_at.tzinfo == dt.timezone.utc
        assert parent.raw == item
        assert client.parent_segment(parent.id) == parent
        attributes = http.ok("GET", f"/audiences/{parent.id}/attributes")
        assert client.attributes(parent.id) == [
            tdc.Attribute(
                a["name"],
                a["type"],
                a["parentDatabaseName"],
                a["parentTableName"],
                a["parentColumn"],
                a["groupingName"],
            )
            for a in attributes
        ]
        behaviors = http.ok("GET", f"/audiences/{parent.id}/behaviors")
        typed = client.behaviors(parent.id)
        assert [(b.id, b.name, b.parent_database, b.parent_table) for b in typed] == [
            (b["id"], b["name"], b["parentDatabaseName"], b["parentTableName"]) for b in behaviors
        ]
        assert [[(c.name, c.type) for c in b.columns] for b in typed] == [
            [(c["matrixColumnName"], c["type"]) for c in b["schema"]] for b in behaviors
        ]
        assert parent.behaviors == tuple(typed)  # /audiences lists them too


def test_segments_folders_activations_and_history(client, http):
    raw = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments")
    segments = client.segments(CUSTOMERS_JP)
    assert len(segments) == len(raw) >= 5
    for segment, item in zip(segments, raw, strict=True):
        assert (segment.audience_id, segment.id, segment.name, segment.kind, segment.description) == (
            item["audienceId"],
            item["id"],
            item["name"],
            item["kind"],
            item["description"],
        )
        assert (segment.folder_id, segment.population) == (item["segmentFolderId"], item["population"])
        assert (segment.created_at, segment.updated_at) == (utc(item["createdAt"]), utc(item["updatedAt"]))
        assert (segment.created_by, segment.updated_by) == (user_of(item["createdBy"]), user_of(item["updatedBy"]))
        assert (segment.rule.to_json() if segment.rule else {}) == item["rule"]
    first = segments[0]
    assert client.segment(CUSTOMERS_JP, int(first.id)) == first

    folders = client.folders(CUSTOMERS_JP)
    raw_folders = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/folders")
    assert [(f.id, f.name, f.parent_folder_id, f.created_at) for f in folders] == [
        (r["id"], r["name"], r["parentFolderId"], utc(r["createdAt"])) for r in raw_folders
    ]
    assert client.folder(CUSTOMERS_JP, folders[0].id) == folders[0]

    with_activations = next(
        s for s in segments if http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments/{s.id}/syndications")
    )
    raw_activations = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments/{with_activations.id}/syndications")
    activations = client.activations(CUSTOMERS_JP, with_activations.id)
    assert [(a.id, a.segment_id, a.name, a.repeat_unit, a.valid) for a in activations] == [
        (r["id"], r["segmentId"], r["name"], r["repeatUnit"], r["valid"]) for r in raw_activations
    ]
    for activation, item in zip(activations, raw_activations, strict=True):
        assert activation.start_at == (dt.datetime.fromisoformat(item["startAt"]) if item["startAt"] else None)
        assert activation.start_at is None or activation.start_at.tzinfo is None  # TD gives it without a zone

    raw_history = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/segments/{first.id}/statistics")
    history = client.population_history(CUSTOMERS_JP, first.id)
    assert [(int(p.time.timestamp()), p.population, p.real) for p in history] == [tuple(e) for e in raw_history]
    assert any(not p.real for p in history) and all(p.time.tzinfo == dt.timezone.utc for p in history)
    since = history[10].time.date()
    assert client.population_history(CUSTOMERS_JP, first.id, since=since) == history[10:]


def test_writes(client, td):
    folder = client.create_folder(CUSTOMERS_JP, "typed", "by the typed client")
    assert (folder.name, folder.description) == ("typed", "by the typed client")
    assert folder.parent_folder_id == td.store.parents[CUSTOMERS_JP].folder_id and folder.id in td.store.folders
    rule = tdc.rule_from_where("age >= 65", client.attribute_types(CUSTOMERS_JP))
    created = client.create_segment(CUSTOMERS_JP, "seniors", rule, folder_id=folder.id)
    assert created.rule == rule and created.folder_id == folder.id and created.created_at.tzinfo == dt.timezone.utc
    assert created.population == td.store.segments[created.id].population > 0
    everyone = client.update_segment(CUSTOMERS_JP, created.id, rule=None, description="everyone")
    assert everyone.rule is None and everyone.population == td.store.parents[CUSTOMERS_JP].population
    assert everyone.name == "seniors" and everyone.updated_at >= created.updated_at
    kept = client.update_segment(CUSTOMERS_JP, created.id, name="all of them")  # the rule left out: kept
    assert kept.rule is None and kept.description == "everyone" and kept.name == "all of them"
    assert client.delete_segment(CUSTOMERS_JP, created.id) is None and created.id not in td.store.segments
    assert client.delete_folder(CUSTOMERS_JP, folder.id) is None and folder.id not in td.store.folders

    activation = td.store.activations[B2B][0]
    run = client.run_activation(B2B, activation["segmentId"], activation["id"])
    assert (run.activation_id, run.status, run.finished_at) == (activation["id"], "running", None)
    assert run.created_at.tzinfo == dt.timezone.utc and run.raw == activation["lastExecution"]


def test_client_errors(client, td):
    with pytest.raises(cdpdb.ProgrammingError, match="audience_id must be an id"):
        client.segments("300001; DROP")
    with pytest.raises(cdpdb.ProgrammingError, match="parent segment 999 was not found") as missing:
        client.segments(999)
    assert (missing.value.status, missing.value.sqlstate) == (404, "42P01")
    with pytest.raises(cdpdb.ProgrammingError, match="root folder"):
        client.delete_folder(CUSTOMERS_JP, td.store.parents[CUSTOMERS_JP].folder_id)
    with pytest.raises(cdpdb.InterfaceError, match="backend='treasuredata'"):
        tdc.client(object())


def test_jsonapi_errors_map_like_rest_ones(conn, td):
    api = conn.session.api
    with pytest.raises(cdpdb.ProgrammingError) as missing:
        api.get(api.path(wire.ENTITY_PARENT_SEGMENT, id="999"), what="reading parent segment 999")
    assert str(missing.value).endswith("found nothing (HTTP 404): Record not found (record-not-found-error)")
    assert (missing.value.status, missing.value.sqlstate) == (404, "42P01")
    with pytest.raises(cdpdb.ProgrammingError, match=r"permission must be view or edit.*\(parameter permission\)"):
        api.get(api.path(wire.JOURNEYS), {"permission": "admin"}, what="listing journeys")
    with (
        td.faults.inject(Fault(kind="status", status=403, path="^/entities/journeys")),
        pytest.raises(cdpdb.OperationalError, match="not authorised.*write-only keys cannot read") as refused,
    ):
        conn.cursor().execute("SELECT * FROM journeys")
    assert refused.value.reason == "unauthorised"


def test_behaviour_tables_declare_columns_and_refuse_rows(conn, http):
    behaviors = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/behaviors")
    for behavior in behaviors:
        table = conn.session.tables[f"behavior_{CUSTOMERS_JP}_{behavior['name']}"]
        names = [f.name for f in table.fields]
        assert names == ["cdp_customer_id", "time", *(c["matrixColumnName"] for c in behavior["schema"])]
    name = f"behavior_{CUSTOMERS_JP}_{behaviors[0]['name']}"
    cur = conn.cursor()
    with pytest.raises(cdpdb.NotSupportedError, match="no endpoint listing a behaviour's rows.*Trino") as refused:
        cur.execute(f"SELECT count(*) FROM {name}")
    assert refused.value.sqlstate == "0A000"
    engine = sqlalchemy.create_engine("treasuredata://", creator=lambda: conn)
    columns = sqlalchemy.inspect(engine).get_columns(name)  # reflection needs no rows
    assert [c["name"] for c in columns] == [f.name for f in conn.session.tables[name].fields]


def test_segment_statistics(conn, http, caplog):
    caplog.set_level(logging.DEBUG, logger=STATS_LOG)
    segments = http.ok("GET", f"/audiences/{B2B}/segments")
    cur = conn.cursor()
    cur.execute(
        "SELECT segmentId, count(*), max(population) FROM segment_statistics "
        f"WHERE audienceId = '{B2B}' GROUP BY 1 ORDER BY 1"
    )
    expected = []
    for s in sorted(segments, key=lambda s: s["id"]):
        raw = http.ok("GET", f"/audiences/{B2B}/segments/{s['id']}/statistics")
        if raw:
            expected.append((s["id"], len(raw), max(e[1] for e in raw)))
    assert cur.fetchall() == expected
    asked = [r.getMessage() for r in caplog.records if r.name == STATS_LOG]
    assert len(asked) == len(segments) and all(f" {B2B}/" in m for m in asked)  # the other parent was not asked

    caplog.clear()
    one = segments[0]["id"]
    raw = http.ok("GET", f"/audiences/{B2B}/segments/{one}/statistics")
    middle = dt.datetime.fromtimestamp(raw[len(raw) // 2][0], dt.timezone.utc)
    cur.execute(
        "SELECT time, population, real FROM segment_statistics WHERE segmentId = ? AND time >= ? ORDER BY time",
        [one, middle],
    )
    rows = cur.fetchall()
    assert rows == [
        (dt.datetime.fromtimestamp(e[0], dt.timezone.utc), e[1], e[2]) for e in raw if e[0] >= middle.timestamp()
    ]
    asked = [r.getMessage() for r in caplog.records if r.name == STATS_LOG]
    assert asked == [
        f"segment statistics {B2B}/{one} {{'from': '{(middle.date() - dt.timedelta(days=1)).isoformat()}'}}"
    ]
