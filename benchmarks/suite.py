"""The fetch benchmark: cdpdb vs Salesforce's Python connectors vs the floor, one run.

    pip install -e ".[test,bench]"
    python benchmarks/suite.py            # 1,000,000 rows, latency 0 and 50 ms, 3 runs each
    python benchmarks/suite.py --quick    # 100,000 rows, 1 run: under two minutes
    python benchmarks/suite.py --rss-rows 5000000   # fetch_arrow_batches memory over 5 M rows

One local Data Cloud (the object ssot__EmailEngagement__dlm: 10 columns of text, decimal(18,2),
bigint, double, boolean, date and timestamp with time zone, with nulls) serves every client.
Each client runs in its own process, timed from connect() to the finished DataFrame (or list of
rows for fetchall), imports excluded; its peak RSS is read from the kernel. "The floor" is the
cheapest complete fetch of the same pages: raw HTTP requests plus pyarrow's decoder, no checks.
Prints markdown tables (medians, ratios within this run) and writes benchmarks/results.png.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from cdpdb.local import Limits, serve

HERE = Path(__file__).parent
TABLE = "ssot__EmailEngagement__dlm"
CASES = {
    "cdpdb V2 JSON → DataFrame": ("cdpdb", {"api": "v2", "arrow": False}),
    "cdpdb V2 Arrow → DataFrame": ("cdpdb", {"api": "v2", "arrow": True}),
    "cdpdb V3 Arrow serial → DataFrame": ("cdpdb", {"api": "v3", "max_workers": 1}),
    "cdpdb V3 Arrow parallel → DataFrame": ("cdpdb", {"api": "v3", "max_workers": 4}),
    "cdpdb V3 fetchall": ("cdpdb-rows", {"api": "v3", "max_workers": 4}),
    "floor V2 Arrow (raw HTTP + pyarrow)": ("floor-v2", {}),
    "floor V3 Arrow parallel (raw HTTP + pyarrow)": ("floor-v3", {"workers": 4}),
    "salesforce-cdp-connector get_pandas_dataframe": ("cdp-df", {}),
    "salesforce-cdp-connector fetchall": ("cdp-rows", {}),
    "salesforce-datacloud-connector fetch_df": ("datacloud-df", {}),
    "salesforce-datacloud-connector fetchall": ("datacloud-rows", {}),
}


def run_client(cloud, kind: str, options: dict) -> dict:
    """One client in its own process (benchmarks/_client.py); returns what it printed."""
    job = {
        "kind": kind,
        "options": options,
        "login_url": cloud.login_url,
        "ca": cloud.ca_path,
        "credentials": asdict(cloud.credentials),
        "table": TABLE,
    }
    done = subprocess.run(
        [sys.executable, str(HERE / "_client.py"), json.dumps(job)], capture_output=True, text=True, timeout=3600
    )
    if done.returncode:
        raise RuntimeError(f"{kind}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_case(cloud, kind: str, options: dict, rows: int) -> dict:
    out = run_client(cloud, kind, options)
    if out["rows"] != rows:
        raise RuntimeError(f"{kind} returned {out['rows']} rows, not {rows}")
    return out


def fetch_table(cloud, rows: int, latencies: list[float], repeat: int, cases: dict) -> dict:
    results: dict = {}
    for latency in latencies:
        cloud.faults.set_limits(latency_ms=latency)
        samples: dict[str, list[dict]] = {name: [] for name in cases}
        for _ in range(repeat):  # interleaved so that machine noise spreads over every client
            for name, (kind, options) in cases.items():
                samples[name].append(run_case(cloud, kind, options, rows))
        results[latency] = {
            name: {
                "seconds": statistics.median(s["seconds"] for s in runs),
                "peak_rss_mb": statistics.median(s["peak_rss_mb"] for s in runs),
            }
            for name, runs in samples.items()
        }
    cloud.faults.set_limits(latency_ms=0)
    return results


def print_tables(results: dict, rows: int, repeat: int) -> None:
    for latency, by_case in results.items():
        best = by_case["cdpdb V3 Arrow parallel → DataFrame"]["seconds"]
        print(f"\n### {rows:,} rows, {latency:g} ms added per request, median of {repeat}\n")
        print("| client | median s | rows/s | peak RSS MB | time / cdpdb V3 parallel |")
        print("|---|---:|---:|---:|---:|")
        for name, value in by_case.items():
            print(
                f"| {name} | {value['seconds']:.2f} | {rows / value['seconds']:,.0f} | "
                f"{value['peak_rss_mb']:,.0f} | {value['seconds'] / best:.2f} |"
            )
        seconds = {name: value["seconds"] for name, value in by_case.items()}
        parallel = "cdpdb V3 Arrow parallel → DataFrame"
        targets = [  # (what, numerator, denominator, target)
            (
                "DataFrame vs salesforce-datacloud-connector fetch_df (x faster)",
                "salesforce-datacloud-connector fetch_df",
                parallel,
                "≥ 5",
            ),
            (
                "DataFrame vs salesforce-cdp-connector get_pandas_dataframe (x faster)",
                "salesforce-cdp-connector get_pandas_dataframe",
                parallel,
                "≥ 2",
            ),
            (
                "cdpdb V3 parallel / floor V3 (time ratio)",
                parallel,
                "floor V3 Arrow parallel (raw HTTP + pyarrow)",
                "≤ 1.3",
            ),
            (
                "cdpdb V2 Arrow / floor V2 (time ratio)",
                "cdpdb V2 Arrow → DataFrame",
                "floor V2 Arrow (raw HTTP + pyarrow)",
                "≤ 1.3",
            ),
            ("V3 parallel vs serial (x faster)", "cdpdb V3 Arrow serial → DataFrame", parallel, "≥ 3 at 50 ms"),
        ]
        print("\nTargets (ratios measured in this run):")
        for what, top, bottom, target in targets:
            if top in seconds and bottom in seconds:
                print(f"- {what}: {seconds[top] / seconds[bottom]:.2f} (target {target})")


def chart(results: dict, rows: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(7 * len(results), 6), squeeze=False)
    for ax, (latency, by_case) in zip(axes[0], results.items(), strict=True):
        names = list(by_case)
        ax.barh(
            names,
            [by_case[n]["seconds"] for n in names],
            color=[
                "tab:blue" if n.startswith("cdpdb") else "tab:gray" if n.startswith("floor") else "tab:red"
                for n in names
            ],
        )
        ax.invert_yaxis()
        ax.set_xlabel("seconds (median), lower is better")
        ax.set_title(f"{rows:,} rows, {latency:g} ms per request")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def rss_growth(cloud, rows: int, workers: int) -> dict:
    out = run_client(cloud, "cdpdb-batches", {"api": "v3", "max_workers": workers})
    if out["rows"] != rows:
        raise RuntimeError(f"fetch_arrow_batches returned {out['rows']} rows, not {rows}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0, 50])
    parser.add_argument("--quick", action="store_true", help="100,000 rows, one run, 0 and 50 ms")
    parser.add_argument("--rss-rows", type=int, default=0, help="also measure fetch_arrow_batches RSS over N rows")
    parser.add_argument("--skip-official", action="store_true", help="leave out Salesforce's connectors")
    parser.add_argument("--rss-only", action="store_true", help="only the fetch_arrow_batches memory measurement")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeat = 100_000, 1
    cases = {n: c for n, c in CASES.items() if not (args.skip_official and n.startswith("salesforce"))}
    started = time.perf_counter()
    if not args.rss_only:
        with serve(scale=args.rows // 5, limits=Limits(v3_chunk_rows=max(args.rows // 20, 1000))) as cloud:
            results = fetch_table(cloud, args.rows, args.latency_ms, args.repeat, cases)
        print_tables(results, args.rows, args.repeat)
        chart(results, args.rows, HERE / "results.png")
    if args.rss_rows:
        print("\n### fetch_arrow_batches memory (V3, chunks of 100,000 rows)\n")
        for rows in (args.rss_rows // 5, args.rss_rows):
            with serve(scale=rows // 5, limits=Limits(v3_chunk_rows=100_000)) as cloud:
                for workers in (1, 2, 4):
                    rss = rss_growth(cloud, rows, workers)
                    growth = rss["peak_mb"] - rss["baseline_mb"]
                    print(
                        f"- {rss['rows']:,} rows, max_workers={workers}: RSS after the first batch "
                        f"{rss['baseline_mb']:,.0f} MB, peak {rss['peak_mb']:,.0f} MB, growth {growth:,.0f} MB = "
                        f"{growth / rss['batch_mb']:.1f} chunks of {rss['batch_mb']:.1f} MB"
                    )
    print(f"\n(total benchmark time {time.perf_counter() - started:.0f} s; chart: benchmarks/results.png)")


if __name__ == "__main__":
    main()
