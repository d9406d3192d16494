"""The Treasure Data fetch benchmark: a segment of profiles read to a DataFrame, cdpdb vs the floor.

    pip install -e ".[test,bench]"
    python benchmarks/treasuredata.py                      # 1,000,000 profiles, 0 ms, 3 runs
    python benchmarks/treasuredata.py --quick              # 100,000 profiles, 1 run
    python benchmarks/treasuredata.py --latency-ms 0 50    # also with 50 ms added per request
    python benchmarks/treasuredata.py --serve              # only the server: prints a client job

One local Treasure Data (parent segment 300001 "Customers JP": 21 attributes of every type —
string, number, timestamp, date, boolean, string_array, number_array — with nulls) serves every
client. Each client runs in its own process (benchmarks/_td_client.py), timed from connect to the
finished DataFrame, imports excluded; its peak RSS is the process's own VmHWM. A read is one
asynchronous segment query: submit, poll until it left ``running``, /customers pages of 10,000
profiles from page 1 until ``end``. "The floor" is the cheapest complete fetch of the same pages:
requests + orjson + one pyarrow array per column, polling every 50 ms, no checks, and the same
DataFrame dtypes. The Trino path (``trino=true``): the SQL of the rule from /segments/query, run
on the server's Trino endpoint through the ``trino`` package; its floor asks for the same SQL and
follows the statement's ``nextUri`` pages with requests + orjson + pyarrow. Prints a markdown table
of medians and ratios to the floor of the same rule and path.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cdpdb.backends.treasuredata import compile
from cdpdb.backends.treasuredata.local import Limits, serve
from cdpdb.core.sqlapi.tables import EQ, Predicate

HERE = Path(__file__).parent
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


def job_for(td, kind: str, options: dict) -> dict:
    trino = {"trino": True} if options.get("trino") else {}
    return {"kind": kind, "audience": AUDIENCE, "connect_args": td.connect_args(**trino), **options}


def run_client(td, kind: str, options: dict) -> dict:
    """One client in its own process; returns what it printed (seconds, rows, peak_rss_mb)."""
    done = subprocess.run(
        [sys.executable, str(HERE / "_td_client.py"), json.dumps(job_for(td, kind, options))],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode:
        raise RuntimeError(f"{kind} {options}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(td, latencies: list[float], repeat: int) -> dict:
    results: dict = {}
    for latency in latencies:
        td.faults.set_limits(latency_ms=latency)
        samples: dict[str, list[dict]] = {name: [] for name in CASES}
        for _ in range(repeat):  # interleaved so that machine noise spreads over every client
            for name, (kind, options, _floor) in CASES.items():
                samples[name].append(run_client(td, kind, options))
        results[latency] = {
            name: {
                "rows": runs[0]["rows"],
                "seconds": statistics.median(r["seconds"] for r in runs),
                "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
                "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
            }
            for name, runs in samples.items()
        }
        for name, (_kind, _options, floor) in CASES.items():  # a client and its floor read the same profiles
            if floor and results[latency][name]["rows"] != results[latency][floor]["rows"]:
                raise RuntimeError(f"{name} read {results[latency][name]['rows']} rows, its floor another number")
    td.faults.set_limits(latency_ms=0)
    return results


def print_tables(results: dict, profiles: int, repeat: int) -> None:
    for latency, by_case in results.items():
        print(f"\n### {profiles:,} profiles, {latency:g} ms added per request, median of {repeat}\n")
        print("| client | rows | median s | rows/s | client CPU s | peak RSS MB | time / its floor |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, value in by_case.items():
            floor = CASES[name][2]
            ratio = value["seconds"] / by_case[floor]["seconds"] if floor else 1.0
            print(
                f"| {name} | {value['rows']:,} | {value['seconds']:.2f} | {value['rows'] / value['seconds']:,.0f} | "
                f"{value['cpu_seconds']:.2f} | {value['peak_rss_mb']:,.0f} | {ratio:.2f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=1_000_000, help="profiles of the parent segment")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0])
    parser.add_argument("--quick", action="store_true", help="100,000 profiles, one run")
    parser.add_argument("--serve", action="store_true", help="only start the server; print a client job per case")
    args = parser.parse_args()
    if args.quick:
        args.profiles, args.repeat = 100_000, 1
    started = time.perf_counter()
    with serve(scale=args.profiles, limits=Limits()) as td:
        print(f"(server with {args.profiles:,} profiles ready in {time.perf_counter() - started:.0f} s)", flush=True)
        if args.serve:
            for name, (kind, options, _floor) in CASES.items():
                job = shlex.quote(json.dumps(job_for(td, kind, options)))
                print(f"\n# {name}\npython {HERE / '_td_client.py'} {job}")
            print("\n(Enter stops the server)", flush=True)
            sys.stdin.readline()
            return
        results = measure(td, args.latency_ms, args.repeat)
    print_tables(results, args.profiles, args.repeat)
    print(f"\n(total benchmark time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
