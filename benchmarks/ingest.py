"""Rows into Data Cloud through the Ingestion API: cdpdb's `DataFrame.to_sql` on a cdp:// URL
and `IngestionClient.bulk_upsert`, against the floor (the same bulk job by hand).

    pip install -e ".[test]"
    python benchmarks/ingest.py [--rows 1000000] [--repeat 3] [--latency-ms 0]

One local Data Cloud (Ingestion API source "Ecommerce", object "Order": 4 columns of text,
NUMERIC(18,2) and timestamp) serves every client, in this process. Each run writes a fresh
DataFrame of `--rows` orders with new keys, timed from connect() until the bulk job is
JobComplete; the local server then holds every row, which the script checks by counting them.
"The floor" creates the job, PUTs the CSV that pyarrow writes from the same DataFrame in 150 MB
files, closes the job and polls it, with plain `requests`: no schema check, no types.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import requests
import sqlalchemy as sa

import cdpdb
from cdpdb.apis import IngestionClient
from cdpdb.local import Limits, serve

FILE_BYTES = 150 * 1024 * 1024


def frame(rows: int, run: int) -> pd.DataFrame:
    totals = pa.array([Decimal(i % 100_000) / 100 for i in range(rows)], pa.decimal128(18, 2))
    return pd.DataFrame(
        {
            "OrderNumber__c": [f"R{run}-{i:08}" for i in range(rows)],
            "CustomerEmail__c": [f"c{i % 50_000}@example.com" for i in range(rows)],
            "OrderTotal__c": totals.to_pandas(),
            "OrderedAt__c": pd.date_range("2026-01-01", periods=rows, freq="s", tz="UTC"),
        }
    )


def cdpdb_to_sql(cloud, data: pd.DataFrame) -> None:
    engine = sa.create_engine("cdp://", connect_args=cloud.connect_args(ingestion_source="Ecommerce"))
    data.to_sql("Ecommerce_Order__dll", engine, if_exists="append", index=False, chunksize=len(data))
    engine.dispose()


def cdpdb_bulk(cloud, data: pd.DataFrame) -> None:
    with cdpdb.connect(**cloud.connect_args()) as conn:
        IngestionClient(conn).bulk_upsert("Ecommerce", "Order", data)


def floor(cloud, data: pd.DataFrame) -> None:
    """The same job with requests alone (a Data Cloud token from cdpdb's login, outside the clock's
    HTTP work only by one exchange, as every client logs in)."""
    with cdpdb.connect(**cloud.connect_args()) as conn:
        tokens = conn.session.dataspaces.direct_tokens(None)
        base, bearer = tokens.base_url(), tokens.bearer(False)
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the local server's CA
    session.verify = cloud.ca_path
    session.headers["Authorization"] = f"Bearer {bearer}"
    table = pa.Table.from_pandas(data, preserve_index=False).rename_columns(
        [name.removesuffix("__c") for name in data.columns]
    )
    sink = io.BytesIO()
    pacsv.write_csv(table, sink)
    body = sink.getvalue()
    job = session.post(
        f"{base}/api/v1/ingest/jobs", json={"object": "Order", "sourceName": "Ecommerce", "operation": "upsert"}
    ).json()
    assert len(body) <= FILE_BYTES, "the floor sends one file"
    session.put(f"{base}/api/v1/ingest/jobs/{job['id']}/batches", data=body, headers={"Content-Type": "text/csv"})
    session.patch(f"{base}/api/v1/ingest/jobs/{job['id']}", json={"state": "UploadComplete"})
    while session.get(f"{base}/api/v1/ingest/jobs/{job['id']}").json()["state"] not in ("JobComplete", "Failed"):
        time.sleep(0.05)


CLIENTS = {"cdpdb DataFrame.to_sql (cdp://)": cdpdb_to_sql, "cdpdb IngestionClient.bulk_upsert": cdpdb_bulk,
           "floor: the bulk job by hand (requests)": floor}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CLIENTS}
    with serve(scale=100, limits=Limits(latency_ms=args.latency_ms)) as cloud:
        count = cdpdb.connect(**cloud.connect_args()).cursor()
        run = 0
        for _ in range(args.repeat):  # interleaved, so machine noise spreads over every client
            for name, write in CLIENTS.items():
                run += 1
                data = frame(args.rows, run)
                started = time.perf_counter()
                write(cloud, data)
                times[name].append(time.perf_counter() - started)
                count.execute(
                    'SELECT COUNT(*) FROM "Ecommerce_Order__dll" WHERE "OrderNumber__c" LIKE ?', [f"R{run}-%"]
                )
                landed = count.fetchone()[0]
                if landed != args.rows:
                    raise SystemExit(f"{name}: {landed:,} rows landed, not {args.rows:,}")
    floor_median = statistics.median(times["floor: the bulk job by hand (requests)"])
    print(
        f"{args.rows:,} rows (4 columns) into Data Cloud's Ingestion API; latency {args.latency_ms:g} ms; "
        f"median of {args.repeat}\n"
    )
    print("| client | median s | rows/s | time / floor |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {args.rows / median:,.0f} | {median / floor_median:.2f} |")


if __name__ == "__main__":
    main()
