"""``experience_events``: one identity's events with the time range, the order and the limit
pushed down, paged by ``_page.next``."""

from __future__ import annotations

import datetime as dt

import pytest

import cdpdb
from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.dataset import identity
from tests.backends.adobe.conftest import entity_calls, rows


def events_of(adobe, number: int, sandbox: str = "prod") -> list[dict]:
    profile = adobe.store.find(sandbox, wire.PROFILE_SCHEMA, "ECID", identity("ECID", number, sandbox))
    return profile.events


def busy(adobe, least: int = 5) -> int:
    return next(n for n in range(1, 1000) if len(events_of(adobe, n)) >= least)


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_all_events_of_one_identity(adobe, conn):
    number = busy(adobe)
    ecid = identity("ECID", number, "prod")
    got = rows(
        conn,
        f"SELECT event_id, timestamp, eventType, web_webPageDetails_name FROM experience_events "
        f"WHERE namespace = 'ECID' AND identity = '{ecid}' ORDER BY timestamp, event_id",
    )
    want = sorted(
        (e["_id"], when(e["timestamp"]), e["eventType"], e["web"]["webPageDetails"]["name"])
        for e in events_of(adobe, number)
    )
    assert sorted(got, key=lambda r: (r[1], r[0])) == sorted(want, key=lambda r: (r[1], r[0]))
    (call,) = entity_calls(adobe)
    assert call.query[wire.P_SCHEMA] == wire.EVENT_SCHEMA
    assert call.query[wire.P_RELATED_SCHEMA] == wire.PROFILE_SCHEMA
    assert (call.query[wire.P_RELATED_ENTITY_ID], call.query[wire.P_RELATED_ENTITY_NS]) == (ecid, "ECID")
    assert wire.P_ORDER_BY not in call.query  # ORDER BY timestamp, event_id: the API orders by timestamp only
    assert wire.P_START_TIME not in call.query and wire.P_END_TIME not in call.query


def test_time_range_is_pushed_as_start_and_end_time(adobe, conn):
    number = busy(adobe, 6)
    events = events_of(adobe, number)
    low, high = when(events[1]["timestamp"]), when(events[4]["timestamp"])
    ecid = identity("ECID", number, "prod")
    got = rows(
        conn,
        f"SELECT event_id FROM experience_events WHERE namespace = 'ECID' AND identity = '{ecid}' "
        f"AND timestamp >= TIMESTAMPTZ '{low.isoformat()}' AND timestamp < TIMESTAMPTZ '{high.isoformat()}'",
    )
    assert sorted(r[0] for r in got) == sorted(e["_id"] for e in events if low <= when(e["timestamp"]) < high)
    (call,) = entity_calls(adobe)
    assert int(call.query[wire.P_START_TIME]) == int(low.timestamp() * 1000)
    assert int(call.query[wire.P_END_TIME]) == int(high.timestamp() * 1000) + 1  # a superset; DuckDB applies <


def test_latest_n_is_orderby_and_limit(adobe, conn):
    number = busy(adobe, 5)
    ecid = identity("ECID", number, "prod")
    got = rows(
        conn,
        f"SELECT event_id FROM experience_events WHERE namespace = 'ECID' AND identity = '{ecid}' "
        "ORDER BY timestamp DESC LIMIT 3",
    )
    assert [r[0] for r in got] == [
        e["_id"] for e in sorted(events_of(adobe, number), key=lambda e: e["timestamp"])[::-1][:3]
    ]
    (call,) = entity_calls(adobe)
    assert (call.query[wire.P_ORDER_BY], call.query[wire.P_LIMIT]) == ("-timestamp", "3")


def test_pages_follow_page_next(adobe):
    number = busy(adobe, 7)
    with cdpdb.connect(backend="adobe", **adobe.connect_args(event_page_size=2)) as conn:
        adobe.requests.clear()
        ecid = identity("ECID", number, "prod")
        got = rows(conn, f"SELECT event_id FROM experience_events WHERE namespace = 'ECID' AND identity = '{ecid}'")
    events = events_of(adobe, number)
    assert sorted(r[0] for r in got) == sorted(e["_id"] for e in events)
    calls = entity_calls(adobe)
    assert len(calls) == (len(events) + 1) // 2
    assert [c.query.get(wire.P_START) for c in calls] == [None, *[str(2 * i) for i in range(1, len(calls))]]


def test_several_identities_and_a_profile_join(adobe, conn):
    a, b = busy(adobe, 3), busy(adobe, 4)
    ids = [identity("ECID", a, "prod"), identity("ECID", b, "prod")]
    got = rows(
        conn,
        "SELECT e.identity, count(*) FROM experience_events e "
        f"WHERE e.namespace = 'ECID' AND e.identity IN ('{ids[0]}', '{ids[1]}') GROUP BY 1",
    )
    assert dict(got) == {ids[0]: len(events_of(adobe, a)), ids[1]: len(events_of(adobe, b))}
    assert len(entity_calls(adobe)) == 2 - (a == b)


def test_no_identity_is_refused(adobe, conn):
    with pytest.raises(cdpdb.NotSupportedError) as caught:
        rows(conn, "SELECT count(*) FROM experience_events WHERE timestamp > TIMESTAMPTZ '2026-01-01 00:00:00+00'")
    assert caught.value.reason == "identity_required"
    assert not entity_calls(adobe)


def test_events_of_the_dev_sandbox(adobe, conn):
    profile = next(p for p in adobe.store.sandboxes["dev"].profiles.values() if p.events)
    ecid = profile.identities["ECID"][0]
    got = rows(conn, f"SELECT count(*) FROM dev.experience_events WHERE namespace = 'ECID' AND identity = '{ecid}'")
    assert got == [(len(profile.events),)]
    assert [c.sandbox for c in entity_calls(adobe)] == ["dev"]
