"""The Treasure Data fetch benchmark by size: a segment of profiles read to a DataFrame, through
the Audience API and through the Trino path, every client beside its floor, at 0 and 50 ms per request.

    pip install -e ".[test,bench]"
    python benchmarks/treasuredata.py                      # 100 … 1,000,000 profiles, 0 and 50 ms, median of 3
    python benchmarks/treasuredata.py --sizes 1000000 --repeat 1 --latency-ms 0
    python benchmarks/treasuredata.py --quick              # 100 and 10,000 profiles, one run: well under 2 minutes
    python benchmarks/treasuredata.py --serve              # only the server: prints a client job per case

For each size a local Treasure Data runs in a process of its own (benchmarks/_bench.py) with parent
segment 300001 "Customers JP" of exactly that many profiles (21 attributes of every type — string,
number, timestamp, date, boolean, string_array, number_array — with nulls), so ``SELECT *`` reads
the size and the WHERE about 30 % of it. Every client runs in its own process
(benchmarks/_td_client.py), timed from connect to the finished DataFrame, imports excluded; its
peak RSS is the process's own VmHWM, its CPU the process's user + system time; the server counts
the HTTP requests each made. A read is one asynchronous segment query: submit, poll until it left
``running``, /customers pages of 10,000 profiles from page 1 until ``end``. "The floor" is the
cheapest complete fetch of the same pages: requests + orjson + one pyarrow array per column,
polling every 50 ms, no checks, and the same DataFrame dtypes. The Trino path (``trino=true``): the
SQL of the rule from /segments/query, run on the server's Trino endpoint through the ``trino``
package; its floor asks for the same SQL and follows the statement's ``nextUri`` pages with
requests + orjson + pyarrow. Prints a markdown table per size and latency: medians, and each
client's ratio to the floor of the same rule and path (which must read the same number of rows).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from _bench import ServerProcess, markdown, measure, python, run_json

from cdpdb.backends.treasuredata import compile
from cdpdb.backends.treasuredata.local import Limits, serve
from cdpdb.core.sqlapi.tables import EQ, Predicate

HERE = Path(__file__).parent
SERVE = "cdpdb.backends.treasuredata.local:serve"
AUDIENCE = "300001"  # "Customers JP", whose size is the server's scale
WHERE_SQL = "prefecture = 'Tokyo'"  # about 30 % of the profiles
# The rule cdpdb sends for WHERE_SQL, made by its own compiler: one Value condition of an And rule.
WHERE_RULE = compile.rule_for((Predicate("prefecture", EQ, "Tokyo"),), {"prefecture": "string"}, (), None, None)
CASES = {  # name → (client, options, the floor it is compared with)
    "cdpdb SELECT * → DataFrame": ("cdpdb", {}, "floor SELECT * (requests + orjson + pyarrow)"),
    f"cdpdb WHERE {WHERE_SQL} → DataFrame": (
        "cdpdb",
        {"where_sql": WHERE_SQL},
        "floor WHERE (the same rule)",
    ),
    "floor SELECT * (requests + orjson + pyarrow)": ("floor", {}, None),
    "floor WHERE (the same rule)": ("floor", {"where_rule": WHERE_RULE.to_json() if WHERE_RULE else None}, None),
    "cdpdb trino=true SELECT * → DataFrame": (
        "cdpdb",
        {"trino": True},
        "floor Trino SELECT * (requests + orjson + pyarrow)",
    ),
    f"cdpdb trino=true WHERE {WHERE_SQL} → DataFrame": (
        "cdpdb",
        {"trino": True, "where_sql": WHERE_SQL},
        "floor Trino WHERE (the same rule)",
    ),
    "floor Trino SELECT * (requests + orjson + pyarrow)": ("floor_trino", {}, None),
    "floor Trino WHERE (the same rule)": (
        "floor_trino",
        {"where_rule": WHERE_RULE.to_json() if WHERE_RULE else None},
        None,
    ),
}


def job_for(connect_args: dict, kind: str, options: dict) -> dict:
    return {"kind": kind, "audience": AUDIENCE, "connect_args": connect_args, **options}


def measure_size(profiles: int, latencies: list[float], repeat: int) -> dict:
    """{latency: {case: medians}} for one parent segment of ``profiles`` profiles."""
    with ServerProcess(SERVE, scale=profiles, limits=Limits()) as td:
        plain, trino = td.call("connect_args"), td.call("connect_args", trino=True)

        def case(kind: str, options: dict):  # type: ignore[no-untyped-def]
            job = json.dumps(job_for(trino if options.get("trino") else plain, kind, options))
            return lambda: run_json(python(HERE / "_td_client.py", job), f"{kind} {options}")

        cases = {name: case(kind, options) for name, (kind, options, _floor) in CASES.items()}
        results = measure(td, latencies, repeat, cases)
    for latency, by_case in results.items():
        for name, (_kind, _options, floor) in CASES.items():  # a client and its floor read the same profiles
            if floor and by_case[name]["rows"] != by_case[floor]["rows"]:
                raise RuntimeError(f"{name} read {by_case[name]['rows']} rows at {latency:g} ms, its floor another")
    return results


def print_tables(profiles: int, results: dict, repeat: int) -> None:
    for latency, by_case in results.items():
        print(f"\n### {profiles:,} profiles, {latency:g} ms added per request, median of {repeat}\n")
        rows = []
        for name, value in by_case.items():
            floor = CASES[name][2]
            ratio = value["seconds"] / by_case[floor]["seconds"] if floor else 1.0
            rows.append(
                [
                    name,
                    f"{value['rows']:,.0f}",
                    f"{value['seconds']:.3f}",
                    f"{value['rows'] / value['seconds']:,.0f}",
                    f"{value['requests']:.0f}",
                    f"{value['cpu_seconds']:.2f}",
                    f"{value['peak_rss_mb']:,.0f}",
                    f"{ratio:.2f}",
                ]
            )
        headers = ["client", "rows", "median s", "rows/s", "requests", "client CPU s", "peak RSS MB", "/ its floor"]
        print(markdown(headers, rows), flush=True)


def serve_only(profiles: int) -> None:
    """The server in this process, and each client's command line, for profiling one client."""
    with serve(scale=profiles, limits=Limits()) as td:
        for name, (kind, options, _floor) in CASES.items():
            args = td.connect_args(trino=True) if options.get("trino") else td.connect_args()
            job = shlex.quote(json.dumps(job_for(args, kind, options)))
            print(f"\n# {name}\npython {HERE / '_td_client.py'} {job}")
        print("\n(Enter stops the server)", flush=True)
        sys.stdin.readline()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000, 1_000_000], help="profiles")
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 and 10,000 profiles, one run")
    parser.add_argument("--serve", action="store_true", help="only start the server (the largest size)")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat = [100, 10_000], 1
    if args.serve:
        serve_only(max(args.sizes))
        return
    started = time.perf_counter()
    for profiles in sorted(args.sizes):
        results = measure_size(profiles, args.latency_ms, args.repeat)
        print_tables(profiles, results, args.repeat)
        print(f"  ({profiles:,} profiles measured at {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    print(f"\n(total benchmark time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
