"""INSERT, executemany and DataFrame.to_sql into Data Cloud through the Ingestion API, on a
private local Data Cloud: rows land once with exact types, small writes stream and large ones
run as one bulk job, and whatever cannot be written is refused before anything is sent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa

import cdpdb
from cdpdb.local import Fault, serve

TABLE = '"Ecommerce_Order__dll"'
UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def cloud():
    with serve(scale=100, seed=5) as instance:
        yield instance


@pytest.fixture
def conn(cloud):
    with cdpdb.connect(**cloud.connect_args(ingestion_source="Ecommerce", ingest_bulk_rows=100)) as connection:
        yield connection


def stored(conn, prefix):
    return (
        conn.cursor()
        .execute(f'SELECT * FROM {TABLE} WHERE "OrderNumber__c" LIKE ? ORDER BY 1', [prefix + "%"])
        .fetchall()
    )


def requests_to(cloud, path):
    return cloud.faults.add(Fault(kind="delay", count=0, path=path, skip=10_000))


def test_insert_and_executemany_stream_exact_rows(cloud, conn):
    cur = conn.cursor()
    cur.execute(
        f'INSERT INTO {TABLE} ("OrderNumber__c", "OrderTotal__c", "OrderedAt__c") VALUES (?, ?, ?)',
        ["I-1", Decimal("10.05"), dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)],
    )
    assert cur.rowcount == 1
    streamed = requests_to(cloud, r"/api/v1/ingest/sources/Ecommerce/Order$")
    cur.executemany(
        f'INSERT INTO {TABLE} ("OrderNumber__c", "CustomerEmail__c", "OrderTotal__c") VALUES (:n, :e, :t)',
        [{"n": f"I-{i}", "e": f"p{i}@example.com", "t": Decimal(i) / 4} for i in range(2, 50)],
    )
    assert cur.rowcount == 48 and 10_000 - streamed.skip == 1  # every parameter set in one payload
    rows = stored(conn, "I-")
    assert len(rows) == 49
    assert rows[0] == ("I-1", None, Decimal("10.05"), dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert ("I-3", "p3@example.com", Decimal("0.75"), None) in rows


def test_a_large_insert_is_one_bulk_job(cloud, conn):
    jobs = requests_to(cloud, r"/api/v1/ingest/jobs$")
    cur = conn.cursor()
    cur.executemany(f'INSERT INTO {TABLE} ("OrderNumber__c", "OrderTotal__c") VALUES (?, ?)', [
        (f"B-{i:04}", Decimal(i)) for i in range(250)
    ])  # fmt: skip
    assert cur.rowcount == 250 and 10_000 - jobs.skip == 1
    assert len(stored(conn, "B-")) == 250


def test_to_sql_on_a_cdp_url(cloud):
    engine = sa.create_engine(
        "cdp://", connect_args=cloud.connect_args(ingestion_source="Ecommerce", ingest_bulk_rows=1_000)
    )
    frame = pd.DataFrame(
        {
            "OrderNumber__c": [f"D-{i}" for i in range(30)],
            "CustomerEmail__c": [f"d{i}@example.com" for i in range(30)],
            "OrderTotal__c": [Decimal(i) / 4 for i in range(30)],
            "OrderedAt__c": pd.date_range("2026-01-01", periods=30, freq="h", tz="UTC"),
        }
    )
    assert frame.to_sql("Ecommerce_Order__dll", engine, if_exists="append", index=False) == 30
    with cdpdb.connect(**cloud.connect_args()) as reader:
        rows = stored(reader, "D-")
    by_number = {row[0]: row for row in rows}
    assert len(rows) == 30
    assert by_number["D-29"] == ("D-29", "d29@example.com", Decimal("7.25"), dt.datetime(2026, 1, 2, 5, tzinfo=UTC))


def test_what_cannot_be_written_is_refused_before_sending(cloud, conn):
    sent = requests_to(cloud, r"/api/v1/ingest/")
    cur = conn.cursor()
    with pytest.raises(cdpdb.ProgrammingError, match="Ecommerce_Order__dll has no column.s. Colour__c"):
        cur.execute(f'INSERT INTO {TABLE} ("OrderNumber__c", "Colour__c") VALUES (?, ?)', ["X-1", "red"])
    with pytest.raises(cdpdb.DataError, match="OrderTotal__c"):
        cur.execute(f'INSERT INTO {TABLE} ("OrderNumber__c", "OrderTotal__c") VALUES (?, ?)', ["X-2", "lots"])
    with pytest.raises(cdpdb.DataError, match="data loss"):  # NUMERIC(18, 2) holds no third decimal
        cur.execute(f'INSERT INTO {TABLE} ("OrderNumber__c", "OrderTotal__c") VALUES (?, ?)', ["X-2", Decimal("0.125")])
    with pytest.raises(cdpdb.ProgrammingError, match="ssot__Individual__dlm"):
        cur.execute('INSERT INTO "ssot__Individual__dlm" ("ssot__Id__c") VALUES (?)', ["X-3"])
    with pytest.raises(cdpdb.NotSupportedError, match="UPDATE"):
        cur.execute(f'UPDATE {TABLE} SET "OrderTotal__c" = 1')
    assert 10_000 - sent.skip == 0 and stored(conn, "X-") == []


def test_without_an_ingestion_source_writes_say_how(cloud):
    with cdpdb.connect(**cloud.connect_args()) as plain:
        with pytest.raises(cdpdb.NotSupportedError, match="ingestion_source="):
            plain.cursor().execute(f'INSERT INTO {TABLE} ("OrderNumber__c") VALUES (?)', ["N-1"])
