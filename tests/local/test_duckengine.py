"""The kit's DuckDB engine: one schema per dataspace, Arrow out, errors with SQLSTATEs, a query
stopped mid-run by its canceller, no file access from SQL, and the runner driving it."""

from __future__ import annotations

import threading
import time

import pyarrow as pa
import pytest

from cdpdb.local.duckengine import DuckEngine
from cdpdb.local.faults import FaultPlan
from cdpdb.local.results import CANCELLED, FINISHED, ResultStore
from cdpdb.local.runner import QueryRunner
from cdpdb.local.sqlengine import CANCELED, EngineError


@pytest.fixture
def engine():
    instance = DuckEngine()
    instance.create_database("one")
    instance.create_database("two")
    yield instance
    instance.close()


def test_dataspaces_are_schemas(engine):
    engine.load_arrow("one", "t", pa.table({"x": [1, 2], "tags": [["a"], None]}))
    engine.load_arrow("two", "t", pa.table({"x": [3]}), '"x" BIGINT')
    assert engine.dataspaces == ["one", "two"]
    assert engine.query_arrow("one", "SELECT * FROM t ORDER BY x").to_pylist() == [
        {"x": 1, "tags": ["a"]},
        {"x": 2, "tags": None},
    ]
    assert engine.query_arrow("two", "SELECT x FROM t").to_pylist() == [{"x": 3}]
    assert engine.query_arrow("two", 'SELECT count(*) AS n FROM "one"."t"').to_pylist() == [{"n": 2}]
    engine.create_database("one")  # emptied
    with pytest.raises(EngineError) as caught:
        engine.query_arrow("one", "SELECT * FROM t")
    assert caught.value.sqlstate == "42P01"


def test_times_are_utc(engine):
    table = engine.query_arrow("one", "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+09' AS t, DATE '2024-01-02' AS d")
    assert str(table.schema.field("t").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("d").type) == "date32[day]"


@pytest.mark.parametrize(
    ("sql", "sqlstate"),
    [("SELEC 1", "42601"), ("SELECT nope FROM range(1)", "42703"), ("SELECT CAST('x' AS INTEGER)", "22018"),
     ("SELECT * FROM read_csv('/etc/passwd')", "42501")],
)  # fmt: skip
def test_errors_carry_a_sqlstate(engine, sql, sqlstate):
    with pytest.raises(EngineError) as caught:
        engine.query_arrow("one", sql)
    assert caught.value.sqlstate == sqlstate
    with pytest.raises(EngineError):
        engine.query_arrow("missing", "SELECT 1")


def test_a_running_query_is_interrupted(engine):
    cancel = {}
    failure = {}

    def run():
        try:
            engine.query_arrow(
                "one", "SELECT count(*) FROM range(100000000000) a", on_start=lambda c: cancel.update(c=c)
            )
        except EngineError as exc:
            failure["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.3)
    cancel["c"]()
    worker.join(10)
    assert failure["error"].sqlstate == CANCELED


def test_the_runner_drives_it(engine):
    runner = QueryRunner(engine, FaultPlan(), ResultStore())
    done = runner.submit(runner.results.new("q1", "one", "me"), "SELECT 42 AS answer")
    assert done.done.wait(10) and done.state == FINISHED and done.table.to_pylist() == [{"answer": 42}]
    slow = runner.submit(runner.results.new("q2", "one", "me"), "SELECT count(*) FROM range(100000000000) a")
    time.sleep(0.3)
    runner.cancel(slow)
    assert slow.done.wait(10) and slow.state == CANCELLED
    runner.close()
