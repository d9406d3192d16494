"""The Trino path of the Treasure Data client against the local Treasure Data: with ``trino=true``
reads of profiles and segments run the SQL of their rule on the Trino endpoint (through the
``trino`` package) and give exactly the table the Audience API path gives; cancel, errors and
faults; without Trino configured, nothing changes."""

from __future__ import annotations

import logging
import threading
import time

import pyarrow as pa
import pytest
from trino import exceptions as tx

import cdpdb
from cdpdb.backends.treasuredata.local import serve
from cdpdb.backends.treasuredata.settings import Settings
from cdpdb.backends.treasuredata.trino_path import arrow_type, error_of
from cdpdb.local.faults import Fault
from tests.conftest import ISSUED_SECRETS

PROFILES = "profiles_300001"
EXECUTING = r"^/v1/statement/executing/"


@pytest.fixture(scope="module")
def td():
    with serve(scale=1000) as server:
        ISSUED_SECRETS.update({server.apikey, server.other_apikey, server.write_only_apikey, server.admin_key})
        yield server


def read(td, sql: str, **settings) -> pa.Table:
    with cdpdb.connect(backend="treasuredata", **td.connect_args(**settings)) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetch_arrow_table()


def paths_taken(caplog) -> list[str]:
    messages = [r.getMessage() for r in caplog.records if r.name == "cdpdb.backends.treasuredata.tables"]
    return ["trino" if m.startswith("Trino statement") else "segment query" for m in messages]


STATEMENTS = [
    f"SELECT * FROM {PROFILES} ORDER BY cdp_customer_id",
    f"SELECT cdp_customer_id, age FROM {PROFILES} WHERE age >= 30 AND prefecture IN ('Tokyo','Osaka') ORDER BY 1",
    f"SELECT email, lifetime_value FROM {PROFILES} WHERE email LIKE '%icloud%' ORDER BY 2 DESC, email LIMIT 25",
    f"SELECT prefecture, count(*), avg(age) FROM {PROFILES} WHERE is_vip = true GROUP BY 1 ORDER BY 1",
    f"SELECT * FROM {PROFILES} WHERE last_purchase_at >= TIMESTAMPTZ '2025-06-01 00:00:00+00' ORDER BY 1",
    "SELECT * FROM segment_1500002 ORDER BY cdp_customer_id",  # a relative time window
    "SELECT * FROM segment_1500007 ORDER BY cdp_customer_id",  # a saved top-100
    "SELECT * FROM segment_1500008 WHERE age < 40 ORDER BY cdp_customer_id",  # a reference with exclude
    "SELECT * FROM profiles_300002 ORDER BY cdp_customer_id",
]


@pytest.mark.parametrize("sql", STATEMENTS)
def test_the_trino_path_gives_exactly_what_the_audience_api_gives(td, caplog, sql):
    with caplog.at_level(logging.DEBUG, logger="cdpdb.backends.treasuredata.tables"):
        by_api = read(td, sql)
        assert set(paths_taken(caplog)) == {"segment query"}
        caplog.clear()
        by_trino = read(td, sql, trino=True)
        assert set(paths_taken(caplog)) == {"trino"}
    assert by_api.num_rows > 0
    assert by_trino.schema == by_api.schema
    assert by_trino.equals(by_api)


def test_no_segment_query_runs_on_the_trino_path(td):
    """A refusal of every segment query proves the rows came another way."""
    refused = Fault(status=500, count=-1, path=r"/segments/queries")
    with td.faults.inject(refused):
        table = read(td, f"SELECT cdp_customer_id FROM {PROFILES} WHERE age > 60", trino=True)
        assert table.num_rows > 0
        with pytest.raises(cdpdb.DatabaseError):
            read(td, f"SELECT cdp_customer_id FROM {PROFILES} WHERE age > 60")


def test_many_pages_and_batches(td):
    with td.faults.inject(trino_page_rows=53):
        table = read(td, f"SELECT * FROM {PROFILES}", trino=True, page_size=100)
    assert table.num_rows == 1000 and len(set(table.column("cdp_customer_id").to_pylist())) == 1000


def test_segment_sql_is_what_the_api_returns(td):
    import requests

    with cdpdb.connect(backend="treasuredata", **td.connect_args()) as conn:
        cur = conn.cursor()
        cur.execute("SELECT audienceId, segmentId, segmentName, sql FROM segment_sql ORDER BY segmentId")
        rows = cur.fetchall()
    assert len(rows) == len(td.store.segments)
    session = requests.Session()
    session.trust_env = False
    session.verify = td.ca_path
    audience, segment_id, name, sql = rows[0]
    rule = td.store.segments[segment_id].rule
    answer = session.post(
        f"{td.site_url}/audiences/{audience}/segments/query",
        json={"format": "sql", "rule": rule.to_json() if rule else None},
        headers={"Authorization": f"TD1 {td.apikey}"},
    ).json()
    assert sql == answer["sql"] and name == td.store.segments[segment_id].name


def test_segment_sql_pushes_the_segment_id_down(td, caplog):
    with caplog.at_level(logging.DEBUG, logger="cdpdb.core.http"):
        with cdpdb.connect(backend="treasuredata", **td.connect_args()) as conn:
            caplog.clear()
            cur = conn.cursor()
            cur.execute("SELECT sql FROM segment_sql WHERE segmentId = '1500003'")
            assert len(cur.fetchall()) == 1
    asked = [r.getMessage() for r in caplog.records if "/segments/query" in r.getMessage()]
    assert len(asked) == 1, asked


def test_cancel_cancels_the_trino_statement(td):
    with td.faults.inject(query_seconds=30.0):
        with cdpdb.connect(backend="treasuredata", **td.connect_args(trino=True)) as conn:
            cur = conn.cursor()
            timer = threading.Timer(0.5, cur.cancel)
            timer.start()
            started = time.monotonic()
            with pytest.raises(cdpdb.OperationalError) as raised:
                cur.execute(f"SELECT count(*) FROM {PROFILES}")
                cur.fetchall()
            assert raised.value.reason == "cancelled"
            assert time.monotonic() - started < 10
    statements = list(td.backend.trino._results.values())
    assert statements and statements[-1].cancelled and statements[-1].done.is_set()
    assert not td.backend.running


def test_closing_mid_read_cancels_the_trino_statement(td):
    with td.faults.inject(trino_page_rows=10):
        conn = cdpdb.connect(backend="treasuredata", **td.connect_args(trino=True, page_size=10))
        cur = conn.cursor()
        cur.execute(f"SELECT * FROM {PROFILES}")
        assert len(cur.fetchmany(5)) == 5
        conn.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not list(td.backend.trino._results.values())[-1].cancelled:
        time.sleep(0.05)
    assert list(td.backend.trino._results.values())[-1].cancelled


def test_a_trino_error_is_a_pep249_error_with_data(td):
    """The engine loses B2B's customers table: Trino's TABLE_NOT_FOUND, as ProgrammingError 42P01."""
    with serve(scale=100) as broken:
        ISSUED_SECRETS.update({broken.apikey, broken.admin_key})
        broken.engine.execute("cdp_audience_300002", "ALTER TABLE customers RENAME TO customers_gone")
        with pytest.raises(cdpdb.ProgrammingError) as raised:
            read(broken, "SELECT * FROM profiles_300002", trino=True)
    assert (raised.value.sqlstate, raised.value.reason) == ("42P01", "table_not_found")
    assert raised.value.query_id


def test_503s_are_retried(td):
    with td.faults.inject(Fault(status=503, count=2, path=EXECUTING, method="GET")):
        table = read(td, f"SELECT cdp_customer_id FROM {PROFILES} WHERE age > 50", trino=True)
    assert table.num_rows > 0


def test_503s_that_last_are_surfaced_with_data(td):
    with td.faults.inject(Fault(status=503, count=-1, path=EXECUTING, method="GET")):
        with pytest.raises(cdpdb.OperationalError) as raised:
            read(td, f"SELECT cdp_customer_id FROM {PROFILES}", trino=True, max_retries=1)
    error = raised.value
    assert (error.status, error.retryable, error.reason) == (503, True, "unavailable")
    assert "2 attempts" in error.message and td.apikey not in error.message


def test_a_slow_trino_endpoint_is_surfaced_by_the_read_timeout(td):
    with td.faults.inject(Fault(kind="delay", seconds=3.0, count=-1, path=EXECUTING, method="GET")):
        started = time.monotonic()
        with pytest.raises(cdpdb.OperationalError) as raised:
            read(td, f"SELECT cdp_customer_id FROM {PROFILES}", trino=True, read_timeout=0.5, max_retries=0)
    assert raised.value.reason == "unreachable" and raised.value.retryable
    assert time.monotonic() - started < 10


def test_without_trino_nothing_changes(td):
    with cdpdb.connect(backend="treasuredata", **td.connect_args()) as conn:
        assert conn.session.trino is None
    assert Settings.from_arguments({"apikey": "k"}).trino is False


def test_settings_of_the_trino_path():
    assert (
        Settings.from_arguments({"apikey": "k", "trino": "true"}).trino_url == "https://api-presto.treasuredata.com:443"
    )
    jp = Settings.from_arguments({"apikey": "k", "trino": True, "site": "jp01"})
    assert jp.trino_url == "https://api-presto.treasuredata.co.jp:443"
    host = Settings.from_arguments({"apikey": "k", "trino_host": "presto.example:8443"})
    assert host.trino and host.trino_url == "https://presto.example:8443"
    with pytest.raises(cdpdb.ProgrammingError, match="trino_host"):
        Settings.from_arguments({"apikey": "k", "trino": True, "site_url": "https://td.example"})


@pytest.mark.parametrize(
    ("trino_type", "arrow"),
    [
        ("varchar", pa.string()),
        ("varchar(20)", pa.string()),
        ("bigint", pa.int64()),
        ("double", pa.float64()),
        ("boolean", pa.bool_()),
        ("date", pa.date32()),
        ("timestamp(3) with time zone", pa.timestamp("us", tz="UTC")),
        ("timestamp(6)", pa.timestamp("us")),
        ("decimal(10,2)", pa.decimal128(10, 2)),
        ("array(varchar)", pa.list_(pa.string())),
        ("array(array(double))", pa.list_(pa.list_(pa.float64()))),
        ("map(varchar, bigint)", pa.string()),
    ],
)
def test_trino_types_to_arrow(trino_type, arrow):
    assert arrow_type(trino_type) == arrow


@pytest.mark.parametrize(
    ("error", "kind", "sqlstate"),
    [
        ({"errorName": "SYNTAX_ERROR", "errorType": "USER_ERROR", "errorCode": 1}, cdpdb.ProgrammingError, "42601"),
        ({"errorName": "USER_CANCELED", "errorType": "USER_ERROR", "errorCode": 3}, cdpdb.OperationalError, "57014"),
        ({"errorName": "NOT_SUPPORTED", "errorType": "USER_ERROR", "errorCode": 13}, cdpdb.NotSupportedError, "0A000"),
        ({"errorName": "DIVISION_BY_ZERO", "errorType": "USER_ERROR", "errorCode": 8}, cdpdb.DataError, "22012"),
        (
            {"errorName": "GENERIC_INTERNAL_ERROR", "errorType": "INTERNAL_ERROR", "errorCode": 65536},
            cdpdb.InternalError,
            "XX000",
        ),
    ],
)
def test_trino_errors_to_pep249(error, kind, sqlstate):
    cls = tx.TrinoUserError if error["errorType"] == "USER_ERROR" else tx.TrinoInternalError
    mapped = error_of(cls({**error, "message": "m"}, "q1"), [], None)
    assert type(mapped) is kind and mapped.sqlstate == sqlstate and mapped.reason == error["errorName"].lower()
    assert mapped.query_id == "q1"


@pytest.mark.parametrize(
    ("values", "trino_type", "expected"),
    [
        (
            ["2024-01-02 03:04:05.123 UTC", None],
            "timestamp(3) with time zone",
            ["2024-01-02T03:04:05.123000+00:00", None],
        ),
        (["2024-01-02 03:04:05.123 Asia/Tokyo"], "timestamp(3) with time zone", ["2024-01-01T18:04:05.123000+00:00"]),
        (["2024-01-02 03:04:05.123 +09:00"], "timestamp(3) with time zone", ["2024-01-01T18:04:05.123000+00:00"]),
        (["2024-01-02 03:04:05.123"], "timestamp(3)", ["2024-01-02T03:04:05.123000"]),
        ([["2024-01-02"], None, []], "array(date)", [["2024-01-02"], None, []]),
        ([1.5, "NaN", None, "Infinity", "-Infinity", 2], "double", ["1.5", "nan", None, "inf", "-inf", "2.0"]),
        (["1.25", None], "decimal(10,2)", ["1.25", None]),
        ([["a", None], None], "array(varchar)", [["a", None], None]),
    ],
)
def test_raw_trino_values_to_arrow(values, trino_type, expected):
    """The raw JSON values (legacy_primitive_types) converted per column in Arrow."""
    from cdpdb.backends.treasuredata.trino_path import column

    array = column(values, trino_type)
    assert array.type == arrow_type(trino_type)

    def text(value):
        if value is None:
            return None
        if isinstance(value, list):
            return [text(v) for v in value]
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    assert [text(v) for v in array.to_pylist()] == expected
