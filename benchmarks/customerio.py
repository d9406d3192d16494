"""The Customer.io sink benchmark: a 1,000,000-row DataFrame sent with ``to_sql``, cdpdb vs the floor.

    pip install -e ".[test,bench]"
    python benchmarks/customerio.py                 # 1,000,000 rows, 3 runs each
    python benchmarks/customerio.py --quick         # 100,000 rows, 1 run

One local Customer.io (HTTPS, counting calls and remembering their messageIds, not keeping them)
receives every client. Each client runs in its own process (``--client``), builds the same
DataFrame (user_id, event, timestamp with time zone, and three property columns — text, double,
bigint — folded into ``properties``), then is timed from that point to the last answer; its peak
memory is the process's own VmHWM, and "send MB" is that peak less the RSS just before sending
(what the send itself added). "The floor" is the cheapest complete send of the same calls: one
dict per row, orjson, the same greedy packing into ``/v1/batch`` requests of at most 512,000
bytes, ``requests`` posting them one after another — no checks, no Arrow, no retries. MB/s counts
the request bodies. Prints a markdown table of medians and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__)


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


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


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
    before = _rss_mb("VmRSS")
    started = time.perf_counter()
    out = (run_cdpdb if kind == "cdpdb" else run_floor)(df, args)
    seconds = time.perf_counter() - started
    out.update(seconds=seconds, peak_mb=_rss_mb("VmHWM"), send_mb=_rss_mb("VmHWM") - before)
    print(json.dumps(out))


CASES = {"cdpdb to_sql (method=None)": "cdpdb", "floor (requests + orjson, same batches)": "floor"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 1 run")
    parser.add_argument("--client", choices=["cdpdb", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.client:
        client(options.client, options.rows, json.loads(options.args))
        return
    if options.quick:
        options.rows, options.repeat = 100_000, 1
    from cdpdb.backends.customerio.local import serve

    results: dict[str, list[dict]] = {name: [] for name in CASES}
    with serve(keep_calls=False) as cio:
        args = cio.connect_args()
        for _ in range(options.repeat):
            for name, kind in CASES.items():  # interleaved, so a drift of the machine hits both
                cio.clear()
                command = [sys.executable, str(HERE), "--client", kind, "--rows", str(options.rows)]
                done = subprocess.run([*command, "--args", json.dumps(args)], capture_output=True, text=True)
                if done.returncode != 0:
                    raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
                result = json.loads(done.stdout.strip().splitlines()[-1])
                stats = cio.stats
                assert stats.get("accepted") == options.rows and not stats.get("duplicates"), stats
                results[name].append(result)
                print(f"{name}: {result['seconds']:.2f} s", file=sys.stderr)
    floor = statistics.median(r["seconds"] for r in results["floor (requests + orjson, same batches)"])
    print(f"\n### {options.rows:,} rows, median of {options.repeat}\n")
    print("| client | median s | rows/s | MB/s | requests | peak RSS MB | send MB | time / floor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        mb = statistics.median(r["bytes"] for r in runs) / 1e6
        print(
            f"| {name} | {seconds:.2f} | {options.rows / seconds:,.0f} | {mb / seconds:.1f} | "
            f"{statistics.median(r['requests'] for r in runs):.0f} | "
            f"{statistics.median(r['peak_mb'] for r in runs):,.0f} | "
            f"{statistics.median(r['send_mb'] for r in runs):,.0f} | {seconds / floor:.2f} |"
        )


if __name__ == "__main__":
    main()
