"""The Crescendo Lab import benchmark by size: a DataFrame of contacts imported with ``to_sql`` into a
local Crescendo Lab under the documented limits (10,000 rows per import, one import at a time, 15
imports a minute), cdpdb beside the floor, at 0 and 50 ms per request; every run checked: each row
created exactly once.

    pip install -e ".[test,bench]"
    python benchmarks/crescendolab.py                # 100 … 100,000 contacts, 0 and 50 ms, median of 3
    python benchmarks/crescendolab.py --quick        # 100 and 10,000 contacts, one run: well under a minute
    python benchmarks/crescendolab.py --sizes 300000 --repeat 1 --latency-ms 0   # waits out the rate

The default sizes stop at 100,000 rows: that is 10 imports, inside one minute's 15. Past 150,000
rows a run must wait out the minute (cdpdb paces itself to the rate; the floor would get 429), so
1,000,000 rows take at least 6 minutes per run whatever the client: the script prints that
computed ceiling (rows, imports, minutes of waiting at 15 a minute, rows/s) for larger sizes
instead of sleeping through them.

One local Crescendo Lab (HTTPS) runs in a process of its own (benchmarks/_bench.py); before each
run it is reset (contacts, tasks, its minute of 15 imports) and the run's latency set again, and it
counts the HTTP requests each client made (imports and task polls). Each client runs in its own
process (``--client``), builds the frame (line_uid, display_name, display_email, customer_id) and
imports everything it uses, then is timed from there to the last task done. cdpdb:
``DataFrame.to_sql("contacts", engine, if_exists="append", index=False)`` on ``crescendolab://``.
"The floor": the same imports by hand — one ``to_dict("records")`` per 10,000 rows, orjson, POST,
its task polled at once and then every 50 ms until done (cdpdb's first pause), with ``requests``;
no checks, no pacing, no report reading.
"""

from __future__ import annotations

import argparse
import json
import math
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
SERVE = "cdpdb.backends.crescendolab.local:serve"
CASES = {"cdpdb to_sql": "cdpdb", "floor (requests + orjson, same imports)": "floor"}
FLOOR = "floor (requests + orjson, same imports)"


def frame(rows: int):  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.DataFrame(
        {
            "line_uid": [f"U{i:09d}" for i in range(rows)],
            "display_name": [f"name {i}" for i in range(rows)],
            "display_email": [f"user{i}@example.com" for i in range(rows)],
            "customer_id": [f"C{i}" for i in range(rows)],
        }
    )


def run_cdpdb(df, args: dict) -> int:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from cdpdb.backends.crescendolab import wire

    host, port = args[wire.SETTING_BASE_URL].rsplit("//", 1)[1].rsplit(":", 1)
    url = sa.engine.URL.create("crescendolab", password=args[wire.SETTING_TOKEN], host=host, port=int(port))
    engine = sa.create_engine(url, connect_args={"ca_bundle": args[wire.SETTING_CA_BUNDLE]})
    written: int = df.to_sql("contacts", engine, if_exists="append", index=False)
    engine.dispose()
    return written


def run_floor(df, args: dict) -> int:  # type: ignore[no-untyped-def]
    import orjson
    import requests

    from cdpdb.backends.crescendolab import wire

    http = requests.Session()
    http.verify, http.trust_env = args[wire.SETTING_CA_BUNDLE], False
    http.headers.update({"Authorization": f"Bearer {args[wire.SETTING_TOKEN]}", "Accept": "application/json"})
    base = args[wire.SETTING_BASE_URL]
    for start in range(0, len(df), wire.MAX_IMPORT_ROWS):
        records = df.iloc[start : start + wire.MAX_IMPORT_ROWS].to_dict("records")
        body = orjson.dumps({wire.IMPORT_KEY: wire.DEFAULT_IMPORT_KEY, wire.DATA: records})
        answer = http.post(base + wire.IMPORT_PATH, data=body, headers={"Content-Type": "application/json"})
        answer.raise_for_status()
        status_url = base + wire.IMPORT_TASK_PATH.format(task_id=orjson.loads(answer.content)[wire.TASK_ID])
        while True:
            status = http.get(status_url)
            status.raise_for_status()
            if orjson.loads(status.content)[wire.STATUS] == wire.DONE:
                break
            time.sleep(0.05)
    return len(df)


def client(kind: str, rows: int, args: dict) -> None:
    df = frame(rows)
    # Everything either client imports, before the clock: the import of rows is timed, not Python's.
    import orjson  # noqa: F401
    import pandas.io.sql  # noqa: F401
    import requests  # noqa: F401
    import sqlalchemy  # noqa: F401

    import cdpdb.backends.crescendolab.session
    import cdpdb.backends.crescendolab.sqlalchemy  # noqa: F401

    if kind == "cdpdb":
        preimport(*CDPDB_LAZY)

    before, cpu, started = current_rss_mb(), cpu_seconds(), time.perf_counter()
    written = (run_cdpdb if kind == "cdpdb" else run_floor)(df, args)
    seconds, peak = time.perf_counter() - started, peak_rss_mb()
    out = {"seconds": seconds, "rows": written, "cpu_seconds": cpu_seconds() - cpu, "peak_rss_mb": peak}
    print(json.dumps({**out, "send_mb": peak - before}))


def measure_sizes(sizes: list[int], latencies: list[float], repeat: int) -> dict[int, dict]:
    """{rows: {latency: {case: medians}}}, every size on one server, reset before each run."""
    results: dict[int, dict] = {}
    with ServerProcess(SERVE) as crescendo:
        args = json.dumps(crescendo.call("connect_args"))

        def case(kind: str, rows: int):  # type: ignore[no-untyped-def]
            def run() -> dict:
                latency = crescendo.call("faults.limits").latency_ms
                crescendo.call("reset")  # a fresh minute of 15 imports; it also clears the limits
                crescendo.set_limits(latency_ms=latency)
                command = python(HERE, "--client", kind, "--rows", str(rows), "--args", args)
                result = run_json(command, f"{kind}, {rows:,} rows")
                stats, kept = crescendo.call("contacts.stats"), crescendo.call("contacts.rows.__len__")
                if result["rows"] != rows or stats["created"] != rows or kept != rows:
                    raise RuntimeError(f"{kind}: lost or repeated rows: {result['rows']} written, {stats} of {rows}")
                return {**result, "imports": stats["imports"]}

            return run

        for rows in sizes:
            cases = {name: case(kind, rows) for name, kind in CASES.items()}
            results[rows] = measure(crescendo, latencies, repeat, cases)
            print(f"  ({rows:,} rows measured)", file=sys.stderr, flush=True)
    return results


def print_tables(results: dict[int, dict], repeat: int) -> None:
    headers = ["client", "median s", "rows/s", "imports", "requests", "client CPU s", "peak RSS MB", "send MB"]
    headers.append("/ floor")
    for rows, by_latency in results.items():
        for latency, by_case in by_latency.items():
            print(f"\n### {rows:,} contacts, {latency:g} ms added per request, median of {repeat}\n")
            floor = by_case[FLOOR]["seconds"]
            table = [
                [
                    name,
                    f"{value['seconds']:.3f}",
                    f"{rows / value['seconds']:,.0f}",
                    f"{value['imports']:.0f}",
                    f"{value['requests']:.0f}",
                    f"{value['cpu_seconds']:.2f}",
                    f"{value['peak_rss_mb']:,.0f}",
                    f"{value['send_mb']:,.0f}",
                    f"{value['seconds'] / floor:.2f}",
                ]
                for name, value in by_case.items()
            ]
            print(markdown(headers, table), flush=True)


def print_ceiling(sizes: list[int]) -> None:
    """What the documented rate alone costs at sizes past one minute's 15 imports (computed)."""
    from cdpdb.backends.crescendolab import wire

    print(f"\n### Computed: the documented rate ({wire.RATE_REQUESTS} imports a minute) at larger sizes\n")
    table = []
    for rows in sizes:
        imports = math.ceil(rows / wire.MAX_IMPORT_ROWS)
        waiting = (imports - 1) // wire.RATE_REQUESTS * wire.RATE_WINDOW_SECONDS
        table.append(
            [
                f"{rows:,}",
                f"{imports:,}",
                f"{waiting / 60:.0f}",
                f"{rows / waiting:,.0f}" if waiting else "—",
            ]
        )
    sustained = wire.RATE_REQUESTS * wire.MAX_IMPORT_ROWS / wire.RATE_WINDOW_SECONDS
    print(markdown(["rows", "imports", "minutes waited at least", "rows/s at most"], table))
    print(f"\nSustained: {sustained:,.0f} rows/s at most, whatever the client.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000, 100_000], help="contacts")
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 and 10,000 contacts, one run")
    parser.add_argument(
        "--computed-sizes", type=int, nargs="*", default=[1_000_000, 5_000_000], help="sizes only computed"
    )
    parser.add_argument("--client", choices=["cdpdb", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.client:
        client(options.client, options.rows, json.loads(options.args))
        return
    if options.quick:
        options.sizes, options.repeat = [100, 10_000], 1
    started = time.perf_counter()
    results = measure_sizes(sorted(options.sizes), options.latency_ms, options.repeat)
    print_tables(results, options.repeat)
    if options.computed_sizes:
        print_ceiling(sorted(options.computed_sizes))
    print(f"\n(total benchmark time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
