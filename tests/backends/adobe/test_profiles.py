"""``profiles`` and ``accounts``: point lookups only, with what each statement pushed down
proved by the local Adobe's request log."""

from __future__ import annotations

import json

import pytest

import cdpdb
from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.dataset import identity
from tests.backends.adobe.conftest import entity_calls, rows


def expected(adobe, sandbox: str, namespace: str, value: str, policy: str | None = None) -> dict:
    store = adobe.store
    profile = store.find(sandbox, wire.PROFILE_SCHEMA, namespace, value)
    return store.answer(profile, store.policy(sandbox, policy), None)["entity"]


def test_one_identity_is_a_get_with_fields(adobe, conn):
    email = identity("email", 7, "prod")
    got = rows(
        conn,
        "SELECT identity, person_name_firstName, homeAddress_city, _cdpdb_loyalty_points, _cdpdb_vip "
        f"FROM profiles WHERE namespace = 'email' AND identity = '{email}'",
    )
    entity = expected(adobe, "prod", "email", email)
    assert got == [
        (
            email,
            entity["person"]["name"]["firstName"],
            entity["homeAddress"]["city"],
            entity["_cdpdb"]["loyalty"]["points"],
            entity["_cdpdb"]["vip"],
        )
    ]
    (call,) = entity_calls(adobe)
    assert call.method == "GET" and call.sandbox == "prod"
    assert call.query[wire.P_SCHEMA] == wire.PROFILE_SCHEMA
    assert (call.query[wire.P_ENTITY_ID], call.query[wire.P_ENTITY_NS]) == (email, "email")
    assert call.query[wire.P_FIELDS].split(",") == [
        "person.name.firstName",
        "homeAddress.city",
        "_cdpdb.loyalty.points",
        "_cdpdb.vip",
    ]
    assert wire.P_MERGE_POLICY not in call.query


def test_select_star_asks_for_the_whole_entity(adobe, conn):
    ecid = identity("ECID", 12, "prod")
    cursor = conn.cursor()
    cursor.execute(f"SELECT * FROM profiles WHERE namespace = 'ECID' AND identity = '{ecid}'")
    names = [d[0] for d in cursor.description]
    (row,) = cursor.fetchall()
    record = dict(zip(names, row, strict=True))
    entity = json.loads(record["entity"])
    assert entity["identityMap"]["ECID"] == [{"id": ecid}]
    assert record["entity_id"] == entity["_id"]
    assert record["person_birthDate"].isoformat() == entity["person"]["birthDate"]
    assert json.loads(record["sources"])  # the datasets it was merged from
    (call,) = entity_calls(adobe)
    assert wire.P_FIELDS not in call.query


def test_in_list_is_batched_posts_within_the_limit(adobe, conn):
    wanted = [identity("email", n, "prod") for n in range(1, 251)] + ["nobody@example.com"]
    listed = ", ".join(f"'{v}'" for v in wanted)
    got = rows(
        conn,
        f"SELECT identity, person_name_lastName FROM profiles WHERE namespace = 'email' AND identity IN ({listed})",
    )
    assert sorted(got) == sorted(
        (v, expected(adobe, "prod", "email", v)["person"]["name"]["lastName"]) for v in wanted[:-1]
    )
    posts = entity_calls(adobe, "POST")
    assert not entity_calls(adobe, "GET")
    assert sorted(len(p.body["identities"]) for p in posts) == [51, 100, 100]  # sent in parallel
    assert all(p.body["fields"] == ["person.name.lastName", "identityMap"] for p in posts)
    sent = [i["entityId"] for p in posts for i in p.body["identities"]]
    assert sorted(sent) == sorted(wanted)
    assert {i["entityIdNS"]["code"] for p in posts for i in p.body["identities"]} == {"email"}


def test_smaller_batches_when_asked(adobe):
    with cdpdb.connect(backend="adobe", **adobe.connect_args(batch_size=7)) as conn:
        adobe.requests.clear()
        wanted = [identity("crmId", n, "prod") for n in range(1, 21)]
        got = rows(
            conn,
            "SELECT identity FROM profiles WHERE namespace = 'crmId' AND identity IN ("
            + ", ".join(f"'{v}'" for v in wanted)
            + ")",
        )
    assert sorted(r[0] for r in got) == sorted(wanted)
    assert sorted(len(p.body["identities"]) for p in entity_calls(adobe, "POST")) == [6, 7, 7]


def test_namespaces_times_identities(adobe, conn):
    email, crm = identity("email", 3, "prod"), identity("crmId", 4, "prod")
    got = rows(
        conn,
        "SELECT namespace, identity FROM profiles WHERE namespace IN ('email', 'crmId') "
        f"AND identity IN ('{email}', '{crm}')",
    )
    assert sorted(got) == [("crmId", crm), ("email", email)]
    (post,) = entity_calls(adobe, "POST")
    assert len(post.body["identities"]) == 4  # every (namespace, identity) pair is looked up


def test_a_miss_is_an_empty_result(adobe, conn):
    assert (
        rows(conn, "SELECT identity FROM profiles WHERE namespace = 'email' AND identity = 'ghost@example.com'") == []
    )
    assert len(entity_calls(adobe, "GET")) == 1


def test_merge_policy_changes_the_value_shown(adobe, conn):
    sandbox = adobe.store.sandboxes["prod"]
    crm_first = next(p["id"] for p in sandbox.merge_policies.values() if p["name"] == "CRM first")
    differing = []
    for number in range(2, 200, 2):
        email = identity("email", number, "prod")
        by_time = expected(adobe, "prod", "email", email)["homeAddress"]["city"]
        by_crm = expected(adobe, "prod", "email", email, crm_first)["homeAddress"]["city"]
        if by_time != by_crm:
            differing.append((email, by_time, by_crm))
    assert differing, "the dataset must hold profiles whose datasets disagree"
    email, by_time, by_crm = differing[0]
    sql = f"SELECT homeAddress_city FROM profiles WHERE namespace = 'email' AND identity = '{email}'"
    assert rows(conn, sql) == [(by_time,)]
    assert rows(conn, sql + f" AND merge_policy_id = '{crm_first}'") == [(by_crm,)]
    assert entity_calls(adobe, "GET")[-1].query[wire.P_MERGE_POLICY] == crm_first


def test_merge_policy_in_a_batch(adobe, conn):
    sandbox = adobe.store.sandboxes["prod"]
    web_first = next(p["id"] for p in sandbox.merge_policies.values() if p["name"].startswith("Web first"))
    wanted = [identity("email", n, "prod") for n in (4, 8, 12)]
    got = rows(
        conn,
        "SELECT identity, person_name_firstName, merge_policy_id FROM profiles WHERE namespace = 'email' "
        f"AND identity IN ({', '.join(repr(v) for v in wanted)}) AND merge_policy_id = '{web_first}'",
    )
    assert sorted(got) == sorted(
        (v, expected(adobe, "prod", "email", v, web_first)["person"]["name"]["firstName"], web_first) for v in wanted
    )
    assert entity_calls(adobe, "POST")[0].body[wire.P_MERGE_POLICY] == web_first


@pytest.mark.parametrize(
    "where, missing",
    [
        ("", "namespace"),
        ("WHERE namespace = 'email'", "identity"),
        ("WHERE identity = 'a@b.com'", "namespace"),
        ("WHERE namespace = 'email' OR identity = 'a@b.com'", "namespace"),
    ],
)
def test_no_identity_predicate_names_the_predicate_needed(adobe, conn, where, missing):
    with pytest.raises(cdpdb.NotSupportedError) as caught:
        rows(conn, f"SELECT identity FROM profiles {where}")
    assert caught.value.reason == "identity_required"
    assert caught.value.sqlstate == "0A000"
    assert "namespace = " in str(caught.value) and f"gives no {missing}" in str(caught.value)
    assert not entity_calls(adobe)  # nothing was asked of the API


def test_schema_qualified_table_reads_that_sandbox(adobe, conn):
    dev_email = identity("email", 5, "dev")
    got = rows(
        conn,
        "SELECT p.identity, p.person_name_firstName FROM dev.profiles p "
        f"WHERE p.namespace = 'email' AND p.identity = '{dev_email}'",
    )
    assert got == [(dev_email, expected(adobe, "dev", "email", dev_email)["person"]["name"]["firstName"])]
    assert [c.sandbox for c in entity_calls(adobe)] == ["dev"]
    prod_email = identity("email", 5, "prod")
    assert (
        rows(conn, f"SELECT identity FROM dev.profiles WHERE namespace = 'email' AND identity = '{prod_email}'") == []
    )
    same = rows(
        conn, f"SELECT profiles.identity FROM prod.profiles WHERE namespace = 'email' AND identity = '{prod_email}'"
    )
    assert same == [(prod_email,)]


def test_join_of_two_sandboxes(adobe, conn):
    """Each side of a join is looked up in its own sandbox (the pushdown reaches both)."""
    dev = [identity("crmId", n, "dev") for n in range(1, 40)]
    got = rows(
        conn,
        "SELECT a.identity, b.identity FROM prod.profiles a JOIN dev.profiles b "
        "ON a.homeAddress_city = b.homeAddress_city "
        f"WHERE a.namespace = 'crmId' AND a.identity = '{identity('crmId', 1, 'prod')}' "
        f"AND b.namespace = 'crmId' AND b.identity IN ({', '.join(repr(d) for d in dev)})",
    )
    city = expected(adobe, "prod", "crmId", identity("crmId", 1, "prod"))["homeAddress"]["city"]
    want = [
        (identity("crmId", 1, "prod"), d)
        for d in dev
        if expected(adobe, "dev", "crmId", d)["homeAddress"]["city"] == city
    ]
    assert sorted(got) == sorted(want)
    assert {c.sandbox for c in entity_calls(adobe)} == {"prod", "dev"}


def test_accounts_in_a_b2b_sandbox(adobe, conn):
    got = rows(
        conn,
        "SELECT identity, accountName, accountOrganization_numberOfEmployees FROM accounts "
        "WHERE namespace = 'b2b_account' AND identity = 'ACC-00002'",
    )
    account = next(
        a for a in adobe.store.sandboxes["prod"].accounts.values() if a.identities["b2b_account"] == ["ACC-00002"]
    )
    attrs = account.fragments[0].attributes
    assert got == [("ACC-00002", attrs["accountName"], attrs["accountOrganization"]["numberOfEmployees"])]
    assert entity_calls(adobe)[0].query[wire.P_SCHEMA] == wire.ACCOUNT_SCHEMA


def test_accounts_where_the_schema_does_not_exist(adobe, conn):
    with pytest.raises(cdpdb.ProgrammingError) as caught:
        rows(conn, "SELECT identity FROM dev.accounts WHERE namespace = 'b2b_account' AND identity = 'ACC-00001'")
    assert caught.value.reason == "no_union_schema"
    assert not entity_calls(adobe)


def test_cancel_stops_sending_batches(adobe):
    """A cancelled lookup sends none of its batches still queued."""
    import threading
    import time

    adobe.faults.set_limits(latency_ms=100)
    wanted = ", ".join(repr(identity("email", n, "prod")) for n in range(1, 41))
    with cdpdb.connect(backend="adobe", **adobe.connect_args(batch_size=1, lookup_threads=1)) as conn:
        cursor = conn.cursor()
        cursor.execute(
            f"SELECT identity FROM profiles WHERE namespace = 'email' AND identity = {identity('email', 1, 'prod')!r}"
        )
        adobe.requests.clear()  # the union schema is read: the next statement starts sending batches at once
        threading.Timer(0.6, cursor.cancel).start()
        with pytest.raises(cdpdb.OperationalError) as caught:
            cursor.execute(f"SELECT identity FROM profiles WHERE namespace = 'email' AND identity IN ({wanted})")
            cursor.fetchall()
        assert caught.value.reason == "cancelled"
        time.sleep(1.5)  # a scan left running would send ~15 more in this time
    assert 1 <= len(entity_calls(adobe, "POST")) < 12  # 40 uncancelled, 10 a second
