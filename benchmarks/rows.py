"""Arrow → Python rows (what ``fetchall()`` does with each page) against the DataFrame of the
same table and pyarrow's own ``to_pylist``, on one synthetic result; or, with ``--server``,
``fetchall()`` against ``fetch_pandas_all()`` end to end.

    python benchmarks/rows.py [--rows 1000000] [--repeat 3]
    python benchmarks/rows.py --server [--rows 1000000] [--repeat 3]

Columns as Data Cloud results have them: text, NUMERIC(38,2), DATE (5 % nulls), TIMESTAMP WITH
TIME ZONE, BIGINT, DOUBLE, BOOLEAN. No server: this measures the client's conversion alone.

``--server``: a local Data Cloud in its own process serves ``ssot__EmailEngagement__dlm`` (10
columns: text, timestamp with time zone, date, boolean, bigint, double, decimal(18,2), nulls in
each); this process reads all of it over V3, from ``connect()`` to the last row as tuples or to
the DataFrame, interleaved after one warm-up each; medians of wall time and of this process's
CPU time. Measure before/after by putting another tree first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.core.results.rows import python_rows


def table(rows: int) -> pa.Table:
    rng = np.random.default_rng(1)
    return pa.table(
        {
            "text": pa.array([f"id{i}" for i in range(rows)]),
            "numeric": pc.cast(pa.array(rng.integers(1, 10**9, rows)), pa.decimal128(38, 2)),
            "date": pa.array(rng.integers(0, 20_000, rows).astype("int32"), mask=rng.random(rows) < 0.05).cast(
                pa.date32()
            ),
            "timestamptz": pa.array(rng.integers(0, 1_700_000_000_000_000, rows), pa.timestamp("us", tz="UTC")),
            "bigint": pa.array(rng.integers(0, 10**6, rows)),
            "double": pa.array(rng.random(rows)),
            "boolean": pa.array(rng.random(rows) < 0.5),
        }
    )


def end_to_end(rows: int, repeat: int) -> None:
    """fetchall() against fetch_pandas_all() of one V3 result, server in its own process."""
    from json_pages import start_server

    import cdpdb

    server, pipe, args = start_server(rows)
    sql = 'SELECT * FROM "ssot__EmailEngagement__dlm"'

    def once(kind: str) -> tuple[float, float]:
        cpu, started = time.process_time(), time.perf_counter()
        with cdpdb.connect(**args, api="v3") as conn:
            cursor = conn.cursor().execute(sql)
            got = cursor.fetchall() if kind == "fetchall()" else cursor.fetch_pandas_all()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if len(got) != rows:
            raise RuntimeError(f"{kind} returned {len(got)} rows, not {rows}")
        return seconds, cpu

    kinds = ("fetchall()", "fetch_pandas_all()")
    times: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    try:
        for kind in kinds:
            once(kind)  # warm-up
        for _ in range(repeat):
            for kind in kinds:
                times[kind].append(once(kind))
    finally:
        pipe.send("stop")
        server.join(timeout=60)
    print(f"V3, {rows:,} rows x 10 columns, server in its own process, median of {repeat} ({cdpdb.__file__})\n")
    print("| fetch | median s | client CPU s | / DataFrame |")
    print("|---|---:|---:|---:|")
    frame = statistics.median(t for t, _ in times["fetch_pandas_all()"])
    for kind in kinds:
        wall, cpu = (statistics.median(run[i] for run in times[kind]) for i in range(2))
        print(f"| {kind} | {wall:.2f} | {cpu:.2f} | {wall / frame:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--server", action="store_true", help="fetchall() vs fetch_pandas_all() end to end over V3")
    args = parser.parse_args()
    if args.server:
        end_to_end(args.rows, args.repeat)
        return
    data = table(args.rows)
    ways = {
        "cdpdb python_rows (fetchall)": lambda: python_rows(data),
        "pyarrow Table.to_pylist (dicts)": data.to_pylist,
        "pyarrow Table.to_pandas": data.to_pandas,
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.repeat):  # interleaved, so machine noise spreads over every way
        for name, way in ways.items():
            started = time.perf_counter()
            way()
            times[name].append(time.perf_counter() - started)
    frame = statistics.median(times["pyarrow Table.to_pandas"])
    print(f"{args.rows:,} rows x 7 columns, median of {args.repeat}\n")
    print("| conversion | median s | / DataFrame |")
    print("|---|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {median / frame:.2f} |")


if __name__ == "__main__":
    main()
