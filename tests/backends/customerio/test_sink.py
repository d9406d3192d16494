"""The Customer.io sink against the local Customer.io: every call type, strict mode always,
retries under each fault with no call lost or duplicated (messageIds compared), partial failure
reported exactly, pacing, auth."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

import cdpdb
from cdpdb.backends.customerio import wire
from cdpdb.local.faults import Fault

from .conftest import message_ids

UTC = dt.timezone.utc
WHEN = dt.datetime(2024, 6, 1, 9, 30, tzinfo=UTC)

CASES = {
    "identify": ("INSERT INTO identify (user_id, email, traits) VALUES (?, ?, ?)", ("u1", "a@x.io", '{"plan": "pro"}')),
    "track": ("INSERT INTO track (user_id, event, properties, price) VALUES (?, ?, ?, ?)", ("u1", "Bought", "{}", 9)),
    "page": ("INSERT INTO page (anonymous_id, name, url) VALUES (?, ?, ?)", ("a1", "Home", "https://x.io/")),
    "screen": ("INSERT INTO screen (user_id, name, timestamp) VALUES (?, ?, ?)", ("u1", "Cart", WHEN)),
    "group": ('INSERT INTO "group" (user_id, group_id, traits, size) VALUES (?, ?, ?, ?)', ("u1", "g1", "{}", 12)),
    "alias": ("INSERT INTO alias (user_id, previous_id) VALUES (?, ?)", ("u1", "a1")),
}
EXPECTED = {
    "identify": {"userId": "u1", "traits": {"plan": "pro", "email": "a@x.io"}},
    "track": {"userId": "u1", "event": "Bought", "properties": {"price": 9}},
    "page": {"anonymousId": "a1", "name": "Home", "properties": {"url": "https://x.io/"}},
    "screen": {"userId": "u1", "name": "Cart", "timestamp": "2024-06-01T09:30:00.000000Z"},
    "group": {"userId": "u1", "groupId": "g1", "traits": {"size": 12}},
    "alias": {"userId": "u1", "previousId": "a1"},
}


@pytest.mark.parametrize("kind", wire.CALL_TYPES)
def test_every_call_type_arrives_as_sent(cio, connect, kind):
    sql, row = CASES[kind]
    cursor = connect().cursor()
    cursor.execute(sql, row)
    assert cursor.rowcount == 1
    (call,) = cio.received(kind)
    for key, value in EXPECTED[kind].items():
        assert call[key] == value
    assert call["type"] == kind and call["messageId"].startswith("cdpdb-")
    assert cio.stats["strict_requests"] == cio.stats["requests_processed"] == 1


def test_many_rows_go_in_few_requests_each_within_the_limit(cio, connect):
    cursor = connect(max_batch_bytes=40_000).cursor()
    rows = [(f"u{i}", "Viewed", "x" * 100) for i in range(3000)]
    cursor.executemany("INSERT INTO track (user_id, event, note) VALUES (?, ?, ?)", rows)
    assert cursor.rowcount == 3000
    received = cio.received("track")
    assert [c["userId"] for c in received] == [r[0] for r in rows]  # all, once, in order
    api = cursor.connection.session.api
    requests = cio.stats["requests_processed"]
    assert api.stats.requests == requests == len(api.stats.spans) > 1
    assert 40_000 * (requests - 1) * 0.99 < api.stats.bytes <= 40_000 * requests  # greedy: every request nearly full


def test_context_is_sent_once_per_request_and_applies_to_its_calls(cio, connect):
    cursor = connect().cursor()
    cursor.executemany(
        "INSERT INTO track (user_id, event, context) VALUES (?, ?, ?)",
        [("u1", "e", '{"ip": "1.1.1.1"}'), ("u2", "e", '{"ip": "1.1.1.1"}'), ("u3", "e", '{"ip": "2.2.2.2"}')],
    )
    assert [c["context"]["ip"] for c in cio.received()] == ["1.1.1.1", "1.1.1.1", "2.2.2.2"]
    assert cio.stats["requests_processed"] == 2


def test_a_bad_row_stops_the_statement_before_any_request(cio, connect):
    cursor = connect().cursor()
    rows = [("u1", "e"), ("u2", None), ("u3", "e"), (None, "e")]
    with pytest.raises(cdpdb.DataError, match="2 of 4 track rows cannot be sent.*row 1: .*needs event") as caught:
        cursor.executemany("INSERT INTO track (user_id, event) VALUES (?, ?)", rows)
    assert caught.value.write.rejected_rows() == [1, 3]
    assert cursor.rowcount == 0
    assert cio.stats.get("strict_requests", 0) == 0 and cio.received() == []


def test_an_exact_32_kb_call_arrives_and_a_bigger_one_is_refused_before_sending(cio, connect):
    cursor = connect().cursor()
    message_id = "m" * 20
    base = len(
        orjson.dumps({"type": "track", "userId": "u", "event": "e", "messageId": message_id, "properties": {"p": ""}})
    )
    pad = "x" * (wire.MAX_CALL_BYTES - base)
    cursor.execute("INSERT INTO track (user_id, event, message_id, p) VALUES ('u', 'e', ?, ?)", [message_id, pad])
    (call,) = cio.received()
    assert len(orjson.dumps({k: v for k, v in call.items() if k != "receivedAt"})) == wire.MAX_CALL_BYTES
    with pytest.raises(cdpdb.DataError, match="over the API's 32,768 per call"):
        cursor.execute(
            "INSERT INTO track (user_id, event, message_id, p) VALUES ('u', 'e', ?, ?)", ["n" * 20, pad + "x"]
        )
    assert cio.stats["strict_requests"] == 1


def test_a_batch_of_exactly_500_kb_is_one_request(cio, connect):
    import pyarrow as pa

    from cdpdb.backends.customerio import calls, packer

    n = 21
    ids = [f"id-{i:04d}" for i in range(n)]
    pads = ["x" * 24_000] * n
    built = calls.build("track", pa.table({"user_id": ["u"] * n, "event": ["e"] * n, "message_id": ids, "p": pads}))
    total = packer.envelope_bytes(None) + sum(built.size(i) for i in range(n)) + n - 1
    pads[-1] += "x" * (wire.MAX_BATCH_BYTES - total)
    cursor = connect().cursor()
    sql = "INSERT INTO track (user_id, event, message_id, p) VALUES ('u', 'e', ?, ?)"
    cursor.executemany(sql, list(zip(ids, pads, strict=True)))
    assert cio.stats["requests_processed"] == 1 and cursor.connection.session.api.stats.bytes == wire.MAX_BATCH_BYTES
    cio.clear()
    pads[-1] += "x"
    cursor.executemany(sql, [(i + "b", p) for i, p in zip(ids, pads, strict=True)])
    assert cio.stats["requests_processed"] == 2 and len(cio.received()) == n


FAULTS = {
    "500": Fault(kind="status", status=500, path=wire.BATCH, skip=1, count=2),
    "503 with Retry-After": Fault(kind="status", status=503, retry_after=0, path=wire.BATCH, skip=1, count=2),
    "429": Fault(kind="status", status=429, path=wire.BATCH, skip=2, count=1),
    "reset after processing": Fault(kind="reset", path=wire.BATCH, skip=1, count=2),
    "slow body": Fault(kind="slow", seconds=0.01, path=wire.BATCH, skip=1, count=1),
    "delay": Fault(kind="delay", seconds=0.3, path=wire.BATCH, skip=1, count=1),
    "HTML 502": Fault(kind="html", status=502, path=wire.BATCH, skip=1, count=1),
}


@pytest.mark.parametrize("name", FAULTS)
def test_every_row_arrives_exactly_once_under_each_fault(cio, connect, name):
    fault = FAULTS[name]
    cio.faults.add(Fault(**{**fault.__dict__}))
    cursor = connect(max_batch_bytes=40_000).cursor()
    rows = [{"u": f"u{i}", "m": f"m-{i}"} for i in range(1200)]
    cursor.executemany("INSERT INTO track (user_id, event, message_id) VALUES (:u, 'e', :m)", rows)
    assert cursor.rowcount == 1200
    assert message_ids(cio) == [r["m"] for r in rows]  # each once, in order
    stats = cio.stats
    if name.startswith("reset"):
        assert stats["duplicates"] > 0  # the server had processed them; the retry was dropped by messageId
    assert cio.faults.stats["faults_injected"] >= 1


def test_a_request_failing_after_its_retries_reports_exactly_which_rows_were_accepted(cio, connect):
    cio.faults.add(Fault(kind="status", status=500, path=wire.BATCH, skip=2, count=-1))
    cursor = connect(max_batch_bytes=40_000, max_retries=1, retry_max_seconds=5).cursor()
    before = cio.faults.stats["requests"]
    rows = [(f"u{i}", f"m-{i}") for i in range(4000)]
    with pytest.raises(cdpdb.InternalError, match="HTTP 500") as caught:
        cursor.executemany("INSERT INTO track (user_id, event, message_id) VALUES (?, 'e', ?)", rows)
    report = caught.value.write
    received = message_ids(cio)
    assert [rows[i][1] for i in report.accepted_rows()] == received
    assert cursor.rowcount == len(received) == report.accepted_count > 0
    assert sorted(report.accepted_rows() + report.rejected_rows()) == list(range(4000))
    first_failed = report.rejected[0][0]
    assert report.why(first_failed.start).startswith("its request failed")
    assert report.why(3999).startswith("not sent")
    assert cio.faults.stats["requests"] - before == 2 + 2  # two accepted, one failing request tried twice, none after


def test_a_refused_request_is_not_retried(cio, connect):
    cio.faults.add(Fault(kind="status", status=400, path=wire.BATCH, count=1))
    cursor = connect().cursor()
    before = cio.faults.stats["requests"]
    with pytest.raises(cdpdb.DataError, match="HTTP 400") as caught:
        cursor.executemany("INSERT INTO track (user_id, event) VALUES (?, 'e')", [("u1",), ("u2",)])
    assert caught.value.write.rejected_rows() == [0, 1] and cursor.rowcount == 0
    assert cio.faults.stats["requests"] - before == 1


def test_the_server_rate_gets_429_and_the_client_waits_it_out(cio, connect):
    cio.faults.set_limits(rate_requests=3, rate_window_seconds=1.0)
    cursor = connect(max_batch_bytes=40_000).cursor()
    rows = [(f"u{i}", "x" * 100) for i in range(1500)]  # about 6 requests
    cursor.executemany("INSERT INTO track (user_id, event, note) VALUES (?, 'e', ?)", rows)
    assert cio.stats["rate_limited"] >= 1 and len(cio.received()) == 1500 and cio.stats.get("duplicates", 0) == 0


def test_the_client_paces_itself_under_its_rate_limit(cio, connect):
    cio.faults.set_limits(rate_requests=4, rate_window_seconds=3.0)
    cursor = connect(max_batch_bytes=40_000, rate_limit=4).cursor()
    rows = [(f"u{i}", "x" * 100) for i in range(1500)]
    cursor.executemany("INSERT INTO track (user_id, event, note) VALUES (?, 'e', ?)", rows)
    assert cio.stats.get("rate_limited", 0) == 0 and len(cio.received()) == 1500
    assert cursor.connection.session.api.stats.paced_seconds > 0


def test_a_wrong_key_is_an_authorisation_error_not_a_silent_200(cio, connect):
    cursor = connect(api_key="not-a-key").cursor()
    with pytest.raises(cdpdb.OperationalError, match="not authorised") as caught:
        cursor.execute("INSERT INTO track (user_id, event) VALUES ('u', 'e')")
    assert caught.value.reason == "unauthorised" and caught.value.write.rejected_rows() == [0]
    assert "not-a-key" not in str(caught.value)


def test_a_region_key_goes_as_bearer(cio, connect):
    cursor = connect(api_key=cio.region_key).cursor()
    cursor.execute("INSERT INTO track (user_id, event) VALUES ('u', 'e')")
    assert len(cio.received()) == 1


def test_select_is_not_supported_and_commit_and_rollback(cio, connect):
    connection = connect()
    cursor = connection.cursor()
    for sql in ("SELECT * FROM track", "SELECT 1"):
        with pytest.raises(cdpdb.NotSupportedError, match="write-only"):
            cursor.execute(sql)
    cursor.execute("INSERT INTO track (user_id, event) VALUES ('u', 'e')")
    connection.commit()  # nothing is buffered: the row is already there
    assert len(cio.received()) == 1
    with pytest.raises(cdpdb.NotSupportedError, match="no transactions"):
        connection.rollback()
    with pytest.raises(cdpdb.NotSupportedError, match="only take INSERT"):
        cursor.execute("DELETE FROM track")
