"""Errors map to the right PEP 249 class with a useful message; retries absorb what they should."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cdpdb
from cdpdb.local import Fault
from tests.conftest import APIS, V3_READS

LEGACY_SQL = {"v1": True, "v2": True, "v3": False, "connect": False}


@pytest.mark.parametrize("api_name", APIS)
@pytest.mark.parametrize(
    ("sql", "error", "state"),
    [
        ('SELECT * FROM "nowhere"', cdpdb.ProgrammingError, "42P01"),
        ('SELECT "nope" FROM "ssot__Individual__dlm"', cdpdb.ProgrammingError, "42703"),
        ("SELECT FROM WHERE", cdpdb.ProgrammingError, "42601"),
        ("SELECT 1/0", cdpdb.DataError, "22012"),
    ],
)
def test_sql_errors_carry_sqlstate_and_position(connect, api_name, sql, error, state):
    cur = connect(api=api_name).cursor()
    with pytest.raises(error) as caught:
        cur.execute(sql)
    assert caught.value.sqlstate == state
    assert caught.value.status == 400
    assert state in str(caught.value)
    if state in ("42P01", "42703") and not LEGACY_SQL[api_name]:
        assert caught.value.position and f"position {caught.value.position}" in str(caught.value)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO t VALUES (1)",
        "  -- c\n delete from x",
        "CREATE TABLE t (a int)",
        "DROP TABLE x",
        "UPDATE t SET a = 1",
    ],
)
def test_writes_are_not_supported_and_point_to_ingestion(connect, statement):
    cur = connect().cursor()
    with pytest.raises(cdpdb.NotSupportedError, match="Ingestion API"):
        cur.execute(statement)
    with pytest.raises(cdpdb.NotSupportedError, match="Ingestion API"):
        cur.executemany("INSERT INTO t VALUES (:a)", [{"a": 1}])


@pytest.mark.parametrize("api_name", APIS)
@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retryable_statuses_are_absorbed(cloud, connect, api_name, status):
    conn = connect(api=api_name)
    with cloud.faults.inject(Fault(kind="status", status=status, count=2, retry_after=0, path="/(api|services/data)")):
        cur = conn.cursor()
        cur.execute('SELECT count(*) FROM "ssot__Individual__dlm"')
        assert cur.fetchone() == (1000,)


def test_retry_after_is_honoured_and_attempts_are_bounded(cloud, connect):
    conn = connect(max_retries=2)
    with cloud.faults.inject(Fault(kind="status", status=429, count=1, retry_after=1, path="/api/v3/query$")):
        started = time.monotonic()
        conn.cursor().execute("SELECT 1")
        assert time.monotonic() - started >= 1.0
    with cloud.faults.inject(Fault(kind="status", status=503, count=-1, retry_after=0, path="/api/v3/query$")):
        with pytest.raises(cdpdb.InternalError, match="after 3 attempts"):
            conn.cursor().execute("SELECT 1")


def test_total_retry_time_is_bounded(cloud, connect):
    conn = connect(max_retries=50, retry_max_seconds=1.5)
    with cloud.faults.inject(Fault(kind="status", status=429, count=-1, retry_after=1, path="/api/v3/query$")):
        started = time.monotonic()
        with pytest.raises(cdpdb.OperationalError, match="429"):
            conn.cursor().execute("SELECT 1")
        assert time.monotonic() - started < 4


@pytest.mark.parametrize("kind", ["reset", "malformed", "html"])
def test_broken_answers_on_safe_calls_are_retried(api, cloud, connect, kind):
    conn = connect()
    fault = Fault(kind=kind, status=503 if kind == "html" else 200, count=1, path=V3_READS)
    with cloud.faults.inject(fault, page_rows=500):
        cur = conn.cursor()
        cur.execute('SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" ORDER BY 1')
        rows = cur.fetchall()
    assert [r[0] for r in rows] == api.hyper('SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" ORDER BY 1').column(
        0
    ).to_pylist()


def test_a_broken_v2_batch_is_not_silently_repeated(cloud, connect):
    conn = connect(api="v2")
    with cloud.faults.inject(Fault(kind="reset", count=1, path="^/api/v2/query/"), v2_batch_rows=500):
        cur = conn.cursor()
        cur.execute('SELECT * FROM "ssot__SalesOrder__dlm"')
        with pytest.raises(cdpdb.OperationalError, match="not safe to repeat, run the query again"):
            cur.fetchall()


def test_an_expired_batch_id_says_so(cloud, connect):
    conn = connect(api="v2")
    with cloud.faults.inject(v2_batch_rows=500):
        cur = conn.cursor()
        cur.execute('SELECT * FROM "ssot__SalesOrder__dlm"')
        cur.fetchmany(10)
        cloud.expire_results()
        with pytest.raises(cdpdb.OperationalError, match="expired"):
            cur.fetchall()


def test_read_timeout_is_an_operational_error(cloud, connect):
    conn = connect(read_timeout=0.5, max_retries=1)
    with cloud.faults.inject(Fault(kind="delay", seconds=3, count=-1, path="/api/v3/query$")):
        started = time.monotonic()
        with pytest.raises(cdpdb.OperationalError, match="did not answer in time"):
            conn.cursor().execute("SELECT 1")
        assert time.monotonic() - started < 5


def test_unreachable_server(cloud):
    with pytest.raises(cdpdb.OperationalError, match="cannot reach"):
        cdpdb.connect(**cloud.connect_args(login_url="http://127.0.0.1:9", max_retries=1))


def test_misuse_raises_interface_error(connect):
    conn = connect()
    cur = conn.cursor()
    with pytest.raises(cdpdb.InterfaceError, match="execute"):
        cur.fetchone()
    cur.close()
    with pytest.raises(cdpdb.InterfaceError, match="cursor is closed"):
        cur.execute("SELECT 1")
    other = conn.cursor()
    conn.close()
    with pytest.raises(cdpdb.InterfaceError, match="connection is closed"):
        other.execute("SELECT 1")
    with pytest.raises(cdpdb.InterfaceError):
        conn.cursor()


hostile = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=200
) | st.sampled_from(
    ["'; DROP TABLE x; --", "\\", "\\'", "''", "$$", "$1", "?", ":name", '"', "/*", "--", "é\u202e\U0001f600"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile, api_name=st.sampled_from(APIS))
def test_hostile_strings_round_trip_exactly(connect, value, api_name):
    cur = connect(api=api_name).cursor()
    cur.execute("SELECT :v AS v, ':v' AS literal", {"v": value})
    assert cur.fetchall() == [(value, ":v")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(
        st.one_of(
            st.integers(-(2**63), 2**63 - 1),
            st.booleans(),
            st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12),
            st.dates(),
            hostile,
        ),
        min_size=1,
        max_size=4,
    ),
    api_name=st.sampled_from(APIS),
)
def test_typed_values_round_trip(connect, values, api_name):
    cur = connect(api=api_name).cursor()
    placeholders = ", ".join("?" for _ in values)
    cur.execute(f"SELECT {placeholders}", values)
    assert list(cur.fetchone()) == values


@pytest.mark.parametrize("api_name", ["v3", "connect"])
def test_an_unquoted_mixed_case_name_gets_a_hint_with_the_quoted_name(connect, api_name):
    cur = connect(api=api_name).cursor()
    with pytest.raises(cdpdb.ProgrammingError) as caught:
        cur.execute('SELECT "ssot__Id__c" FROM ssot__SalesOrder__dlm')
    assert caught.value.sqlstate == "42P01"
    assert '"ssot__SalesOrder__dlm"' in caught.value.hint
    assert "double quotes" in str(caught.value)
    with pytest.raises(cdpdb.ProgrammingError) as unknown:
        cur.execute('SELECT "ssot__Id__c" FROM no_such_table')
    assert "double quotes" not in (unknown.value.hint or "")  # no hint where no such object exists


@pytest.mark.parametrize("api_name", APIS)
def test_only_real_writes_are_refused_as_read_only(connect, api_name):
    cur = connect(api=api_name).cursor()
    for write in ("INSERT INTO t VALUES (1)", "delete from t", "  -- note\n CREATE TABLE t (a int)", "DROP TABLE t"):
        with pytest.raises(cdpdb.NotSupportedError, match="read-only"):
            cur.execute(write)


def test_retries_are_mentioned_only_when_they_happened(cloud, connect):
    cur = connect(api="v2", max_retries=2, retry_max_seconds=10).cursor()
    with cloud.faults.inject(Fault(kind="status", status=500, path=r"^/api/v2/query$")):
        with pytest.raises(cdpdb.InternalError) as once:
            cur.execute("SELECT 1")
    assert "attempt" not in str(once.value) and "retries" not in str(once.value)  # 500 is not retried
    with cloud.faults.inject(Fault(kind="status", status=503, count=-1, path=r"^/api/v2/query$")):
        with pytest.raises(cdpdb.InternalError, match="after 3 attempts"):
            cur.execute("SELECT 1")


@pytest.mark.parametrize("api_name", APIS)
def test_error_positions_point_into_the_sql_the_user_wrote(connect, api_name):
    """Binding rewrites the SQL (literals on V1/V2, one placeholder per list item on V3/Connect);
    the position of an error must still point at the user's text."""
    sql = "SELECT 1 WHERE 'x' IN :xs AND nosuchcol = :n"
    with pytest.raises(cdpdb.ProgrammingError) as caught:
        connect(api=api_name).cursor().execute(sql, {"xs": ["a", "b", "c"], "n": 1.5})
    assert caught.value.position == sql.index("nosuchcol") + 1
    assert f"at position {sql.index('nosuchcol') + 1}" in str(caught.value)


@pytest.mark.parametrize("api_name", APIS)
def test_a_typo_or_a_utility_statement_is_not_called_read_only(connect, api_name):
    cur = connect(api=api_name).cursor()
    for typo_sql in ("SELEC 1", "ß0000000", "1 + 1"):
        with pytest.raises(cdpdb.ProgrammingError) as typo:
            cur.execute(typo_sql)
        assert typo.value.sqlstate == "42601" and "read-only" not in str(typo.value), typo_sql
    for statement in ("EXPLAIN SELECT 1", "SHOW TABLES", "DESCRIBE t"):
        with pytest.raises(cdpdb.DatabaseError) as utility:
            cur.execute(statement)
        assert "read-only" not in str(utility.value), statement
    cur.execute("SELECT 1;")  # a trailing semicolon is fine
    assert cur.fetchall() == [(1,)]
