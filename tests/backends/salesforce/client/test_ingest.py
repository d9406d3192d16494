"""The Ingestion API client against a private local Data Cloud (it changes data): streamed and
bulk upserts land exactly once with exact types, bad rows stop a write before its first request,
a failure part-way says which rows were accepted, and jobs follow their documented life cycle."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pyarrow as pa
import pytest

import cdpdb
from cdpdb.apis import IngestionClient
from cdpdb.backends.salesforce.apis.ingest import csv_parts, pack
from cdpdb.local import Fault, serve

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def private_cloud():
    with serve(scale=100, seed=3) as cloud:
        yield cloud


@pytest.fixture
def conn(private_cloud):
    with cdpdb.connect(**private_cloud.connect_args()) as connection:
        yield connection


def orders(n: int, prefix: str, total: str = "1.25") -> list[dict]:
    return [
        {
            "OrderNumber": f"{prefix}{i:06}",
            "CustomerEmail": f"c{i}@example.com",
            "OrderTotal": Decimal(total) + i,
            "OrderedAt": dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=i),
        }
        for i in range(n)
    ]


def stored(conn, prefix: str) -> list[tuple]:
    return (
        conn.cursor()
        .execute('SELECT * FROM "Ecommerce_Order__dll" WHERE "OrderNumber__c" LIKE ? ORDER BY 1', [prefix + "%"])
        .fetchall()
    )


def counter(cloud, path):
    return cloud.faults.add(Fault(kind="delay", count=0, path=path, skip=10_000))


def test_stream_upserts_exactly_with_types(conn):
    client = IngestionClient(conn)
    assert client.stream("Ecommerce", "Order", orders(3, "S-")) == 3
    rows = stored(conn, "S-")
    assert rows[2] == ("S-000002", "c2@example.com", Decimal("3.25"), dt.datetime(2024, 1, 1, 0, 2, tzinfo=UTC))
    client.stream("Ecommerce", "Order", [{"OrderNumber__c": "S-000001", "OrderTotal": "99.99"}])  # __c names too
    rows = stored(conn, "S-")
    assert len(rows) == 3 and rows[1] == ("S-000001", None, Decimal("99.99"), None)  # replaced whole, not merged


def test_payloads_stay_under_200_kb_and_every_row_lands_once(private_cloud, conn):
    calls = counter(private_cloud, r"/api/v1/ingest/sources/")
    assert IngestionClient(conn).stream("Ecommerce", "Order", orders(5000, "P-")) == 5000
    assert 10_000 - calls.skip >= 3  # about 125 bytes a row: 5,000 rows need several payloads
    rows = stored(conn, "P-")
    assert len(rows) == 5000 and len({r[0] for r in rows}) == 5000


def test_bad_rows_stop_the_write_before_any_request(private_cloud, conn):
    client = IngestionClient(conn)
    calls = counter(private_cloud, r"/api/v1/ingest/")
    with pytest.raises(cdpdb.ProgrammingError, match="Discount.*not fields of Ecommerce_Order__dll"):
        client.stream("Ecommerce", "Order", [{"OrderNumber": "B-1", "Discount": 1}])
    with pytest.raises(cdpdb.ProgrammingError, match=r"row 2: OrderTotal='lots'"):
        client.stream(
            "Ecommerce",
            "Order",
            [{"OrderNumber": "B-1", "OrderTotal": "1"}, {"OrderNumber": "B-2", "OrderTotal": "lots"}],
        )
    with pytest.raises(cdpdb.DataError, match="row 2 is .* bytes"):
        client.stream(
            "Ecommerce", "Order", [{"OrderNumber": "B-1"}, {"OrderNumber": "B-2", "CustomerEmail": "x" * 250_000}]
        )
    with pytest.raises(cdpdb.ProgrammingError, match="no data lake object Nope_Order__dll"):
        client.stream("Nope", "Order", [{"OrderNumber": "B-1"}])
    assert 10_000 - calls.skip == 0 and stored(conn, "B-") == []


def test_a_failure_part_way_says_which_rows_were_accepted(private_cloud):
    with cdpdb.connect(**private_cloud.connect_args(max_retries=1)) as conn:
        rows = orders(5000, "F-")
        with private_cloud.faults.inject(Fault(status=503, count=-1, path=r"/api/v1/ingest/sources/", skip=1)):
            with pytest.raises(cdpdb.DatabaseError, match=r"of 5,000 rows were accepted") as failure:
                IngestionClient(conn).stream("Ecommerce", "Order", rows)
        accepted = failure.value.write.accepted_count
        assert failure.value.write.rejected_rows() == list(range(accepted, 5000))
        assert 0 < accepted < 5000
        assert [r[0] for r in stored(conn, "F-")] == [r["OrderNumber"] for r in rows[:accepted]]
        assert IngestionClient(conn).stream("Ecommerce", "Order", rows[accepted:]) == 5000 - accepted
        assert len(stored(conn, "F-")) == 5000


def test_rows_appear_after_the_processing_delay(private_cloud, conn):
    with private_cloud.faults.inject(ingest_delay_seconds=1.0):
        IngestionClient(conn).stream("Ecommerce", "Order", orders(2, "D-"))
        assert stored(conn, "D-") == []  # Data Cloud processes streamed rows within minutes
        time.sleep(1.5)
        assert len(stored(conn, "D-")) == 2


def test_bulk_upsert_and_delete(conn):
    client = IngestionClient(conn)
    job = client.bulk_upsert("Ecommerce", "Order", pa.Table.from_pylist(orders(20_000, "J-")), timeout=60)
    assert job.state == "JobComplete" and job.records_processed == 20_000
    assert len(stored(conn, "J-")) == 20_000
    done = client.bulk_delete("Ecommerce", "Order", [f"J-{i:06}" for i in range(0, 20_000, 2)], timeout=60)
    assert done.state == "JobComplete" and len(stored(conn, "J-")) == 10_000
    assert job.id in {j.id for j in client.jobs()}


def test_a_failed_job_raises_with_the_reason(conn):
    client = IngestionClient(conn)
    job = client.create_job("Ecommerce", "Order")
    client.upload(job.id, b"OrderNumber,CustomerEmail,OrderTotal,OrderedAt\nX-1,a@b.c,1.5,\nX-2,,lots,\n")
    client.close_job(job.id)
    with pytest.raises(cdpdb.OperationalError, match=r"ended Failed: record 2: OrderTotal='lots'"):
        client.wait(job.id, timeout=30)
    assert stored(conn, "X-") == []


def test_job_life_cycle_rules(private_cloud, conn):
    client = IngestionClient(conn)
    job = client.create_job("Ecommerce", "Order")
    with pytest.raises(cdpdb.Error, match="close or abort it"):
        client.delete_job(job.id)
    assert client.abort_job(job.id).state == "Aborted"
    with pytest.raises(cdpdb.Error, match="only an Open job"):
        client.close_job(job.id)
    with cdpdb.connect(**private_cloud.connect_args(dataspace="marketing")) as other:
        with pytest.raises(cdpdb.Error, match="does not exist"):
            IngestionClient(other).job(job.id)  # another dataspace's jobs are invisible
    client.delete_job(job.id)
    with pytest.raises(cdpdb.Error, match="does not exist"):
        client.job(job.id)


def test_pack_at_its_edges():
    rows = [b"x" * 10] * 5
    # head 9 + tail 2 bytes; 3 rows = 9 + 30 + 2 commas + 2 = 43 bytes, so a limit of 44 takes 3 and 43 takes 2
    assert [count for _, count in pack(rows, 44)] == [3, 2]
    assert [count for _, count in pack(rows, 43)] == [2, 2, 1]
    assert all(len(payload) < 43 for payload, _ in pack(rows, 43))


def test_csv_parts_split_under_the_limit_with_a_header_each():
    table = pa.table({"a": [f"v{i:04}" for i in range(1000)]})
    parts = list(csv_parts(table, 2_000))
    assert sum(n for _, n in parts) == 1000 and all(len(p) <= 2_000 and p.startswith(b'"a"\n') for p, _ in parts)
