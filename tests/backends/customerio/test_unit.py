"""Pure functions of the Customer.io client: rows → calls, the packer at its edges, settings,
and the pacer (with a clock handed in)."""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from decimal import Decimal

import orjson
import pyarrow as pa
import pytest

import cdpdb
from cdpdb.backends.customerio import calls, packer, wire
from cdpdb.backends.customerio.settings import Settings
from cdpdb.core.pace import Pacer


def build(kind: str, **columns) -> calls.Calls:
    return calls.build(kind, pa.table(columns), statement_id="0" * 16)


def test_typed_columns_go_top_level_and_the_others_fold_into_the_bag():
    out = build("track", user_id=["u1"], event=["Bought"], properties=['{"a": 1}'], price=[9.5])
    call = orjson.loads(out.body(0))
    assert call == {
        "type": "track",
        "userId": "u1",
        "event": "Bought",
        "messageId": "cdpdb-0000000000000000-0",
        "properties": {"a": 1, "price": 9.5},
    }


def test_a_null_top_level_field_is_left_out_and_a_null_extra_column_is_sent_as_null():
    call = orjson.loads(build("identify", user_id=["u"], anonymous_id=[None], plan=[None]).body(0))
    assert "anonymousId" not in call and call["traits"] == {"plan": None}


def test_message_ids_are_the_rows_own_or_distinct_per_row():
    out = build("page", user_id=["u", "u"], name=["home", "home"])
    ids = [orjson.loads(out.body(i))["messageId"] for i in range(len(out))]
    assert len(set(ids)) == 2  # two equal rows are two calls, not one
    given = build("page", user_id=["u"], message_id=["m-1"])
    assert orjson.loads(given.body(0))["messageId"] == "m-1"


def test_context_and_integrations_are_kept_out_of_the_call_for_the_batch():
    out = build("screen", user_id=["u"], context=['{"ip": "1.2.3.4"}'], integrations=[None])
    assert "context" not in orjson.loads(out.body(0))
    assert orjson.loads(out.groups[0]) == {"context": {"ip": "1.2.3.4"}}


@pytest.mark.parametrize(
    "kind, columns, why",
    [
        ("track", {"user_id": ["u"], "event": [None]}, "needs event"),
        ("track", {"anonymous_id": [None], "event": ["e"]}, "needs user_id or anonymous_id"),
        ("group", {"user_id": ["u"], "group_id": [""]}, "needs group_id"),
        ("alias", {"user_id": [None], "previous_id": ["p"]}, "needs user_id"),
        ("alias", {"user_id": ["u"], "previous_id": [None]}, "needs previous_id"),
        ("identify", {"user_id": ["u"], "traits": ["[1]"]}, "must be a JSON object"),
        ("identify", {"user_id": ["u"], "traits": ["{"]}, "not JSON"),
        ("identify", {"user_id": ["u"], "traits": ['{"x": 1}'], "x": [2]}, "both a column and a key"),
        ("track", {"user_id": ["u"], "event": ["e"], "v": pa.array([math.nan])}, "JSON cannot carry"),
        (
            "track",
            {"user_id": ["u"], "event": ["e"], "v": pa.array([Decimal("0.1000000000000000000000000001")])},
            "no exact JSON",
        ),
        ("track", {"user_id": ["u"], "event": ["e"], "v": pa.array([b"x"])}, "binary"),
    ],
)
def test_a_row_that_cannot_be_sent_is_named_before_anything_is_sent(kind, columns, why):
    with pytest.raises(cdpdb.DataError, match=why) as caught:
        build(kind, **columns)
    assert caught.value.write.rejected_rows() == [0] and caught.value.write.accepted_count == 0


def test_identify_may_go_by_the_email_trait_alone():
    assert len(build("identify", user_id=[None], email=["a@example.com"])) == 1


def test_alias_has_no_bag_for_extra_columns():
    with pytest.raises(cdpdb.DataError, match="remove the column"):
        build("alias", user_id=["u"], previous_id=["p"], plan=["x"])


def test_values_keep_their_json_types():
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    call = orjson.loads(
        build("track", user_id=["u"], event=["e"], timestamp=[when], n=[Decimal("1.5")], d=[dt.date(2024, 1, 2)]).body(
            0
        )
    )
    assert call["timestamp"] == "2024-01-02T03:04:05.000000Z"
    assert call["properties"] == {"n": 1.5, "d": "2024-01-02"}


def _calls_of_sizes(sizes: list[int], group: bytes | None = None) -> calls.Calls:
    return calls.Calls.of("track", [b"x" * size for size in sizes], [group] * len(sizes))


def test_a_request_of_exactly_the_limit_is_one_request_and_one_byte_more_is_two():
    limit = wire.MAX_BATCH_BYTES
    envelope = packer.envelope_bytes(None)
    sizes = [30_000] * 17
    sizes.append(limit - envelope - sum(sizes) - len(sizes))  # the commas: len(sizes) - 1 + 1 for the last
    exact = _calls_of_sizes(sizes)
    spans = packer.plan(exact, limit)
    assert spans == [range(0, 18)]
    assert len(packer.body(exact, spans[0])) == limit
    sizes[-1] += 1
    assert packer.plan(_calls_of_sizes(sizes), limit) == [range(0, 17), range(17, 18)]


def test_a_new_request_starts_where_context_changes_and_the_body_carries_it():
    a, b = b'{"context":{"ip":"1"}}', b'{"context":{"ip":"2"}}'
    mixed = calls.Calls.of("track", [b"{}", b"{}", b"{}"], [a, a, b])
    spans = packer.plan(mixed, wire.MAX_BATCH_BYTES)
    assert spans == [range(0, 2), range(2, 3)]
    body = packer.body(mixed, spans[0])
    assert orjson.loads(body) == {"batch": [{}, {}], "context": {"ip": "1"}}
    assert len(body) == packer.envelope_bytes(a) + 2 + 1 + 2


def test_a_call_of_exactly_32_kb_is_sent_and_one_byte_more_is_refused():
    base = len(build("track", user_id=["u"], event=["e"], pad=[""]).body(0))
    fits = build("track", user_id=["u"], event=["e"], pad=["x" * (wire.MAX_CALL_BYTES - base)])
    assert len(fits.body(0)) == wire.MAX_CALL_BYTES
    with pytest.raises(cdpdb.DataError, match="32,768 per call"):
        build("track", user_id=["u"], event=["e"], pad=["x" * (wire.MAX_CALL_BYTES - base + 1)])


def test_a_call_that_fits_no_request_with_its_context_is_refused_by_the_packer():
    huge = b'{"context":{"x":"' + b"y" * wire.MAX_BATCH_BYTES + b'"}}'
    with pytest.raises(cdpdb.DataError, match="row 0 cannot be sent"):
        packer.plan(calls.Calls.of("track", [b"{}"], [huge]), wire.MAX_BATCH_BYTES)


def test_settings_regions_and_keys():
    assert Settings.from_arguments({"api_key": "k"}, environ={}).base == wire.REGIONS["us"]
    assert Settings.from_arguments({"api_key": "k", "region": "EU"}, environ={}).base == wire.REGIONS["eu"]
    region_key = Settings.from_arguments({"api_key": "sk_eu_abc"}, environ={})
    assert region_key.bearer and region_key.base == wire.REGIONS["eu"]
    assert not Settings.from_arguments({"api_key": "abc"}, environ={}).bearer
    env = Settings.from_arguments({}, environ={"CDPDB_CUSTOMERIO_API_KEY": "from-env"})
    assert env.api_key == "from-env" and "from-env" not in repr(env)
    with pytest.raises(cdpdb.ProgrammingError, match="CDPDB_CUSTOMERIO_API_KEY"):
        Settings.from_arguments({}, environ={})
    with pytest.raises(cdpdb.ProgrammingError, match="region=us but the API key is a eu key"):
        Settings.from_arguments({"api_key": "pk_eu_x", "region": "us"}, environ={})
    with pytest.raises(cdpdb.ProgrammingError, match="region must be one of"):
        Settings.from_arguments({"api_key": "k", "region": "ap"}, environ={})
    with pytest.raises(cdpdb.ProgrammingError, match="max_batch_bytes"):
        Settings.from_arguments({"api_key": "k", "max_batch_bytes": wire.MAX_BATCH_BYTES + 1}, environ={})


def test_the_pacer_never_lets_more_than_n_requests_into_a_window_counted_from_their_answers():
    """Each request takes 0.1 s to answer: the fourth may start 3 s after the first's answer (the
    server counted the first somewhere before that), not 3 s after its start."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(3, 3.0, clock=lambda: now[0], sleep=sleep)
    starts, answers = [], []
    for _ in range(7):
        with pacer.slot():
            starts.append(now[0])
            now[0] += 0.1
        answers.append(now[0])
        now[0] += 0.05
    assert starts == pytest.approx([0.0, 0.15, 0.3, 3.1, 3.25, 3.4, 6.2])
    for i in range(len(starts) - 3):
        assert starts[i + 3] >= answers[i] + 3.0 - 1e-9


def test_a_request_still_unanswered_holds_its_place_in_the_window():
    pacer = Pacer(1, 0.05)
    answered = threading.Event()

    def slow_request() -> None:
        with pacer.slot():
            time.sleep(0.2)
        answered.set()

    other = threading.Thread(target=slow_request)
    other.start()
    time.sleep(0.02)  # the other request is under way
    with pacer.slot():
        assert answered.is_set()  # not before the slow one's answer (+ the window)
    other.join()


def test_rows_across_chunks_keep_their_numbers(monkeypatch):
    monkeypatch.setattr(calls, "CHUNK_ROWS", 2)
    out = build("page", user_id=["a", "b", "c", "d", "e"])
    assert [orjson.loads(out.body(i))["messageId"][-1] for i in range(5)] == ["0", "1", "2", "3", "4"]
    with pytest.raises(cdpdb.DataError) as caught:
        build("page", user_id=["a", "b", None, "d", None])
    assert caught.value.write.rejected_rows() == [2, 4]
