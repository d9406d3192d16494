"""The Customer.io sink benchmark by size: a DataFrame sent with ``to_sql``, cdpdb beside the floor,
at 0 and 50 ms per request.

    pip install -e ".[test,bench]"
    python benchmarks/customerio.py                 # 100 … 1,000,000 rows, 0 and 50 ms, median of 3
    python benchmarks/customerio.py --sizes 1000000 --repeat 1 --latency-ms 0
    python benchmarks/customerio.py --quick         # 100, 10,000 and 100,000 rows, one run: under a minute

One local Customer.io (HTTPS, counting calls and remembering their messageIds, not keeping them)
runs in a process of its own (benchmarks/_bench.py) and receives every client; it counts the HTTP
requests each client made, and after each run the script checks that it accepted exactly one call
per row and no duplicate. Each client runs in its own process (``--client``), builds the same
DataFrame (user_id, event, timestamp with time zone, and three property columns — text, double,
bigint — folded into ``properties``), then is timed from that point to the last answer; its peak
memory is the process's own VmHWM, "send MB" that peak less the RSS just before sending (what the
send itself added), client CPU the process's user + system time over the send. "The floor" is the
cheapest complete send of the same calls: one dict per row, orjson, the same greedy packing into
``/v1/batch`` requests of at most 512,000 bytes, ``requests`` posting them one after another — no
checks, no Arrow, no retries. MB/s counts the request bodies. Prints a markdown table per size and
latency: medians and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _bench import (
    CDPDB_LAZY,
    ServerProcess,
    cpu_seconds,
    current_rss_mb,
    markdown,
    measure,
    peak_rss_mb,
    preimport,
    python,
    run_json,
)

HERE = Path(__file__)
SERVE = "cdpdb.backends.customerio.local:serve"


def frame(rows: int):  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    index = np.arange(rows)
    return pd.DataFrame(
        {
            "user_id": pd.Series(index).map("user-{:07d}".format),
            "event": np.where(index % 3 == 0, "Viewed Product", "Added to Cart"),
            "timestamp": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(index, unit="s"),
            "plan": np.where(index % 2 == 0, "pro", "free"),
            "price": (index % 1000) / 4.0,
            "quantity": index % 7,
        }
    )


def run_cdpdb(df, args: dict) -> dict:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    engine = sa.create_engine("customerio://", connect_args=args)
    with engine.connect() as connection:
        session = connection.connection.dbapi_connection.session
        sent = df.to_sql("track", connection, if_exists="append", index=False)
        stats = session.api.stats
        return {"rows": sent, "requests": stats.attempts, "bytes": stats.bytes}


def run_floor(df, args: dict) -> dict:  # type: ignore[no-untyped-def]
    import base64

    import orjson
    import requests

    limit = 500 * 1024
    session = requests.Session()
    login = base64.b64encode(f"{args['api_key']}:".encode()).decode()
    headers = {"Authorization": f"Basic {login}", "Content-Type": "application/json", "X-Strict-Mode": "1"}
    url = args["base_url"] + "/v1/batch"
    requests_sent = sent_bytes = 0
    pending: list[bytes] = []
    size = 12

    def flush() -> None:
        nonlocal requests_sent, sent_bytes, pending, size
        body = b'{"batch":[' + b",".join(pending) + b"]}"
        answer = session.post(url, data=body, headers=headers, verify=args["ca_bundle"], timeout=60)
        answer.raise_for_status()
        requests_sent += 1
        sent_bytes += len(body)
        pending, size = [], 12

    columns = [df[c].tolist() for c in ("user_id", "event", "timestamp", "plan", "price", "quantity")]
    for number, (user, event, when, plan, price, quantity) in enumerate(zip(*columns, strict=True)):
        call = {
            "type": "track",
            "userId": user,
            "event": event,
            "timestamp": when.isoformat(),
            "messageId": f"floor-{number}",
            "properties": {"plan": plan, "price": price, "quantity": quantity},
        }
        data = orjson.dumps(call)
        if pending and size + 1 + len(data) > limit:
            flush()
        size += len(data) + (1 if pending else 0)
        pending.append(data)
    if pending:
        flush()
    return {"rows": len(df), "requests": requests_sent, "bytes": sent_bytes}


def client(kind: str, rows: int, args: dict) -> None:
    df = frame(rows)
    # Everything either client imports, before the clock: the send is timed, not the imports.
    import base64  # noqa: F401

    import orjson  # noqa: F401
    import pandas.io.sql  # noqa: F401
    import requests  # noqa: F401
    import sqlalchemy  # noqa: F401

    import cdpdb.backends.customerio.session
    import cdpdb.backends.customerio.sqlalchemy  # noqa: F401

    if kind == "cdpdb":
        preimport(*CDPDB_LAZY)

    before, cpu = current_rss_mb(), cpu_seconds()
    started = time.perf_counter()
    out = (run_cdpdb if kind == "cdpdb" else run_floor)(df, args)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    out.update(seconds=seconds, cpu_seconds=cpu_seconds() - cpu, peak_rss_mb=peak, send_mb=peak - before)
    print(json.dumps(out))


CASES = {"cdpdb to_sql (method=None)": "cdpdb", "floor (requests + orjson, same batches)": "floor"}
FLOOR = "floor (requests + orjson, same batches)"


def measure_sizes(sizes: list[int], latencies: list[float], repeat: int) -> dict[int, dict]:
    """{rows: {latency: {case: medians}}}, every size on one server."""
    results: dict[int, dict] = {}
    with ServerProcess(SERVE, keep_calls=False) as cio:
        args = json.dumps(cio.call("connect_args"))

        def case(kind: str, rows: int):  # type: ignore[no-untyped-def]
            def run() -> dict:
                cio.call("clear")
                before = cio.call("stats")
                command = python(HERE, "--client", kind, "--rows", str(rows), "--args", args)
                result = run_json(command, f"{kind}, {rows:,} rows")
                after = cio.call("stats")
                accepted = after.get("accepted", 0) - before.get("accepted", 0)
                duplicates = after.get("duplicates", 0) - before.get("duplicates", 0)
                if accepted != rows or duplicates:
                    raise RuntimeError(f"{kind}: the server accepted {accepted} of {rows} calls, {duplicates} twice")
                return result

            return run

        for rows in sizes:
            cases = {name: case(kind, rows) for name, kind in CASES.items()}
            results[rows] = measure(cio, latencies, repeat, cases)
            print(f"  ({rows:,} rows measured)", file=sys.stderr, flush=True)
    return results


def print_tables(results: dict[int, dict], repeat: int) -> None:
    headers = ["client", "median s", "rows/s", "MB/s", "requests", "client CPU s", "peak RSS MB", "send MB"]
    headers.append("/ floor")
    for rows, by_latency in results.items():
        for latency, by_case in by_latency.items():
            print(f"\n### {rows:,} rows, {latency:g} ms added per request, median of {repeat}\n")
            floor = by_case[FLOOR]["seconds"]
            table = []
            for name, value in by_case.items():
                seconds = value["seconds"]
                table.append(
                    [
                        name,
                        f"{seconds:.3f}",
                        f"{rows / seconds:,.0f}",
                        f"{value['bytes'] / 1e6 / seconds:.1f}",
                        f"{value['requests']:.0f}",
                        f"{value['cpu_seconds']:.2f}",
                        f"{value['peak_rss_mb']:,.0f}",
                        f"{value['send_mb']:,.0f}",
                        f"{seconds / floor:.2f}",
                    ]
                )
            print(markdown(headers, table), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000, 1_000_000], help="rows")
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100, 10,000 and 100,000 rows, one run")
    parser.add_argument("--client", choices=["cdpdb", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.client:
        client(options.client, options.rows, json.loads(options.args))
        return
    if options.quick:
        options.sizes, options.repeat = [100, 10_000, 100_000], 1
    started = time.perf_counter()
    results = measure_sizes(sorted(options.sizes), options.latency_ms, options.repeat)
    print_tables(results, options.repeat)
    print(f"\n(total benchmark time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
