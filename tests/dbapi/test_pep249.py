"""PEP 249 (DB-API 2.0), section by section, against the local Data Cloud."""

from __future__ import annotations

import datetime as dt

import pytest

import cdpdb

# -- Module interface ---------------------------------------------------------------------------


def test_module_globals():
    assert cdpdb.apilevel == "2.0"
    assert cdpdb.threadsafety == 2  # shown by tests/test_dbapi_queries.py::test_threads_share_a_connection
    assert cdpdb.paramstyle == "named"
    assert callable(cdpdb.connect)


def test_exception_hierarchy():
    assert issubclass(cdpdb.Warning, Exception)
    assert issubclass(cdpdb.Error, Exception)
    assert issubclass(cdpdb.InterfaceError, cdpdb.Error)
    assert issubclass(cdpdb.DatabaseError, cdpdb.Error)
    for name in (
        "DataError",
        "OperationalError",
        "IntegrityError",
        "InternalError",
        "ProgrammingError",
        "NotSupportedError",
    ):
        assert issubclass(getattr(cdpdb, name), cdpdb.DatabaseError), name


# -- Connection objects -------------------------------------------------------------------------


def test_connection_methods(connect):
    conn = connect()
    conn.commit()  # a no-op: nothing to commit on a read-only API
    with pytest.raises(cdpdb.NotSupportedError, match="read-only"):
        conn.rollback()
    assert isinstance(conn.cursor(), cdpdb.Cursor)
    for name in ("Error", "Warning", "InterfaceError", "DatabaseError", "ProgrammingError", "NotSupportedError"):
        assert getattr(conn, name) is getattr(cdpdb, name)  # optional extension
    conn.close()
    with pytest.raises(cdpdb.InterfaceError):
        conn.cursor()
    conn.close()  # closing twice is harmless


def test_connection_context_manager_closes(connect):
    with connect() as conn:
        conn.cursor().execute("SELECT 1")
    assert conn.closed


# -- Cursor objects -----------------------------------------------------------------------------


def test_description_and_rowcount_before_and_after(connect):
    cur = connect().cursor()
    assert cur.description is None and cur.rowcount == -1
    cur.execute('SELECT "ssot__Id__c" AS id, "ssot__BirthDate__c" AS born FROM "ssot__Individual__dlm" LIMIT 7')
    assert len(cur.description) == 2
    assert all(len(d) == 7 for d in cur.description)
    assert cur.description[0][0] == "id" and cur.description[0][1] == cdpdb.STRING
    assert cur.description[1][1] == cdpdb.DATETIME
    assert cur.rowcount == 7


def test_arraysize_defaults_to_one(connect):
    cur = connect().cursor()
    assert cur.arraysize == 1
    cur.execute('SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" ORDER BY 1 LIMIT 5')
    assert len(cur.fetchmany()) == 1
    cur.arraysize = 3
    assert len(cur.fetchmany()) == 3
    assert len(cur.fetchmany(10)) == 1
    assert cur.fetchmany() == []


def test_fetchone_fetchall_and_exhaustion(connect):
    cur = connect().cursor()
    cur.execute("SELECT x FROM (VALUES (1), (2), (3)) AS t(x) ORDER BY x")
    assert cur.fetchone() == (1,)
    assert cur.fetchall() == [(2,), (3,)]
    assert cur.fetchone() is None
    assert cur.fetchall() == []


def test_execute_returns_the_cursor_and_iteration_works(connect):
    cur = connect().cursor()
    assert cur.execute("SELECT 1") is cur
    assert list(cur) == [(1,)]


def test_a_new_execute_replaces_the_result(connect):
    cur = connect().cursor()
    cur.execute("SELECT 1")
    cur.execute("SELECT 2")
    assert cur.fetchall() == [(2,)]


def test_executemany_and_callproc_are_not_supported(connect):
    cur = connect().cursor()
    with pytest.raises(cdpdb.NotSupportedError):
        cur.executemany("SELECT :a", [{"a": 1}])
    with pytest.raises(cdpdb.NotSupportedError):
        cur.callproc("anything")


def test_nextset_setinputsizes_setoutputsize(connect):
    cur = connect().cursor()
    cur.execute("SELECT 1")
    assert cur.nextset() is None
    cur.setinputsizes([None])
    cur.setoutputsize(100)


def test_closed_cursor_raises_interface_error(connect):
    cur = connect().cursor()
    cur.execute("SELECT 1")
    cur.close()
    for call in (cur.fetchone, cur.fetchall, lambda: cur.execute("SELECT 1")):
        with pytest.raises(cdpdb.InterfaceError):
            call()


def test_cursor_context_manager(connect):
    with connect().cursor() as cur:
        cur.execute("SELECT 1")
    assert cur.closed


# -- Type objects and constructors ---------------------------------------------------------------


def test_constructors():
    assert cdpdb.Date(2020, 1, 2) == dt.date(2020, 1, 2)
    assert cdpdb.Time(3, 4, 5) == dt.time(3, 4, 5)
    assert cdpdb.Timestamp(2020, 1, 2, 3, 4, 5) == dt.datetime(2020, 1, 2, 3, 4, 5)
    assert cdpdb.DateFromTicks(0) == dt.date.fromtimestamp(0)
    assert cdpdb.TimestampFromTicks(0) == dt.datetime.fromtimestamp(0).replace(microsecond=0)
    assert cdpdb.TimeFromTicks(0) == dt.datetime.fromtimestamp(0).time()
    assert cdpdb.Binary(b"x") == b"x"


def test_type_objects_compare_with_every_spelling():
    for name in ("VARCHAR", "Varchar", "TEXT"):
        assert name == cdpdb.STRING and name == cdpdb.STRING
    for name in ("DECIMAL", "Numeric", "BIGINT", "BigInt", "DOUBLE", "Double", "NUMBER"):
        assert name == cdpdb.NUMBER
    for name in ("DATE", "TimestampTZ", "TIMESTAMP WITH TIME ZONE", "DATE_TIME"):
        assert name == cdpdb.DATETIME
    assert cdpdb.NUMBER != "VARCHAR"
    assert cdpdb.BINARY == "VARBINARY" and cdpdb.ROWID == "ROWID"


@pytest.mark.parametrize("api_name", ["v3", "v2", "v1", "connect"])
def test_constructed_values_round_trip(connect, api_name):
    cur = connect(api=api_name).cursor()
    cur.execute(
        "SELECT :d AS d, :ts AS ts",
        {"d": cdpdb.Date(2021, 3, 4), "ts": cdpdb.Timestamp(2021, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc)},
    )
    assert cur.fetchone() == (dt.date(2021, 3, 4), dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc))
