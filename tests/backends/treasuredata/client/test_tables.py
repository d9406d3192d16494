"""Treasure Data as SQL against the local Treasure Data: every table, what each pushes down
(the rule the segment query carried), and results equal to the same SQL over all profiles."""

from __future__ import annotations

import json
import logging

import pytest

import cdpdb
from cdpdb.backends.treasuredata.local import serve

PROFILES = "profiles_300001"


@pytest.fixture(scope="module")
def td():
    with serve(scale=1000) as server:
        yield server


@pytest.fixture
def conn(td):
    with cdpdb.connect(backend="treasuredata", **td.connect_args()) as connection:
        yield connection


def rules_sent(caplog) -> list[dict | None]:
    return [
        json.loads(r.getMessage().split(": ", 1)[1])
        for r in caplog.records
        if r.name == "cdpdb.backends.treasuredata.tables" and r.getMessage().startswith("segment query on")
    ]


def everything(conn, sql_over_all: str) -> list[tuple]:
    """The same question answered by DuckDB over every profile (nothing pushed)."""
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM {PROFILES}")
    frame = cur.fetch_arrow_table()  # noqa: F841 - read by DuckDB below
    import duckdb

    return duckdb.sql(sql_over_all.replace(PROFILES, "frame")).fetchall()


def test_the_catalog(conn):
    assert {"parent_segments", "segments", PROFILES, "profiles_300002"} <= set(conn.session.tables)
    cur = conn.cursor()
    cur.execute("SELECT id, name, population FROM parent_segments ORDER BY id")
    assert cur.fetchall() == [("300001", "Customers JP", 1000), ("300002", "B2B Accounts", 100)]
    cur.execute("SELECT count(*), sum(population) > 0 FROM segments WHERE audienceId = '300001'")
    count, populated = cur.fetchone()
    assert count >= 5 and populated
    cur.execute(f"SELECT * FROM {PROFILES} LIMIT 0")
    names = [d[0] for d in cur.description]
    assert names[0] == "cdp_customer_id" and "prefecture" in names and "interests" in names


ID = f"SELECT cdp_customer_id FROM {PROFILES} WHERE "
QUERIES = [
    (
        f"SELECT cdp_customer_id, age FROM {PROFILES} WHERE prefecture IN ('Tokyo', 'Osaka') AND age >= 30 "
        "AND email LIKE '%gmail.com' ORDER BY age DESC, cdp_customer_id",
        ["In", "GreaterEqual", "EndWith"],
    ),
    (ID + "first_name LIKE 'A%' AND gender <> 'F' ORDER BY 1", ["StartWith", "Equal"]),
    (ID + "email NOT LIKE '%example%' AND age BETWEEN 20 AND 29 ORDER BY 1", ["Contain", "Between"]),
    (ID + "churn_score IS NULL OR age < 20 ORDER BY 1", []),
    (ID + "last_purchase_at IS NOT NULL AND is_vip = true ORDER BY 1", ["IsNull", "Equal"]),
    (ID + "signup_date >= DATE '2024-01-01' AND regexp_matches(email, '^a') ORDER BY 1", ["GreaterEqual", "Regexp"]),
    (
        f"SELECT prefecture, count(*) FROM {PROFILES} WHERE last_purchase_at >= TIMESTAMP '2025-06-01 00:00:00' "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        ["GreaterEqual"],
    ),
]


@pytest.mark.parametrize(("sql", "operators"), QUERIES)
def test_pushed_where_becomes_the_rule_and_results_match(conn, caplog, sql, operators):
    caplog.set_level(logging.DEBUG, logger="cdpdb.backends.treasuredata.tables")
    cur = conn.cursor()
    cur.execute(sql)
    rows = cur.fetchall()
    sent = rules_sent(caplog)[-1]
    pushed = [c["operator"]["type"] for c in (sent or {}).get("conditions", [])]
    assert pushed == operators
    assert rows == everything(conn, sql)


def test_order_and_limit_become_the_rules_top_n(conn, caplog):
    caplog.set_level(logging.DEBUG, logger="cdpdb.backends.treasuredata.tables")
    sql = f"SELECT cdp_customer_id, lifetime_value FROM {PROFILES} WHERE age > 40 ORDER BY lifetime_value DESC LIMIT 5"
    cur = conn.cursor()
    cur.execute(sql)
    rows = cur.fetchall()
    limit = rules_sent(caplog)[-1]["limit"]
    assert rows == everything(conn, sql)
    assert limit["number"] == 5 and limit["orderColumns"] == [
        {"type": "Column", "column": "lifetime_value", "order": "descending"}
    ]


def test_a_saved_segment_is_a_table_replaying_its_rule(conn):
    cur = conn.cursor()
    cur.execute("SELECT id, population FROM segments WHERE audienceId = '300001' ORDER BY id LIMIT 1")
    segment_id, population = cur.fetchone()
    cur.execute(f"SELECT count(*) FROM segment_{segment_id}")
    assert cur.fetchone() == (population,)


def test_errors_name_what_to_fix(td):
    with pytest.raises(cdpdb.OperationalError, match="not authorised") as wrong:
        cdpdb.connect(backend="treasuredata", **td.connect_args(apikey="1/not-a-key"))
    assert wrong.value.status == 401
    with cdpdb.connect(backend="treasuredata", **td.connect_args()) as conn:
        with pytest.raises(cdpdb.ProgrammingError, match="the treasuredata tables are") as unknown:
            conn.cursor().execute("SELECT * FROM profiles_999")
        assert unknown.value.sqlstate == "42P01"
        with pytest.raises(cdpdb.NotSupportedError, match="read with SELECT"):
            conn.cursor().execute(f"DELETE FROM {PROFILES}")


def test_sqlalchemy_and_pandas(td, monkeypatch):
    import pandas as pd
    import sqlalchemy as sa

    monkeypatch.setenv("TD_API_KEY", td.apikey)  # the key from the environment TD's own tools use
    host = td.site_url.split("://", 1)[1]
    engine = sa.create_engine(f"treasuredata://{host}/?ca_bundle={td.ca_path}")
    inspector = sa.inspect(engine)
    assert PROFILES in inspector.get_table_names()
    columns = {c["name"]: c["type"] for c in inspector.get_columns(PROFILES)}
    assert isinstance(columns["age"], sa.Float) and isinstance(columns["last_purchase_at"], sa.DateTime)
    frame = pd.read_sql(f"SELECT prefecture, count(*) AS n FROM {PROFILES} GROUP BY 1 ORDER BY n DESC", engine)
    assert frame["n"].sum() == 1000
    assert td.apikey not in repr(engine)


def test_cancel_kills_the_segment_query_on_the_server(td):
    """cancel() from another thread while the segment query runs: the cursor raises that it was
    cancelled, and the server's query is killed (its status says so)."""
    import threading
    import time

    with td.faults.inject(query_seconds=30.0), cdpdb.connect(backend="treasuredata", **td.connect_args()) as conn:
        cur = conn.cursor()
        timer = threading.Timer(0.5, cur.cancel)
        timer.start()
        started = time.monotonic()
        with pytest.raises(cdpdb.OperationalError, match="cancelled"):
            cur.execute(f"SELECT count(*) FROM {PROFILES}")
            cur.fetchall()
        assert time.monotonic() - started < 10
    assert [q.status for q in td.backend.results._results.values()][-1] == "killed"
