"""The fetch benchmark by size: every cdpdb path, Salesforce's Python connectors and the floor,
side by side in one run per size, at 0 and 50 ms per request.

    pip install -e ".[test,bench]"
    python benchmarks/suite.py                       # 100 … 1,000,000 rows, 0 and 50 ms, median of 3
    python benchmarks/suite.py --sizes 5000000 --repeat 1 --official-max-rows 0   # 5 M rows, cdpdb and the floor
    python benchmarks/suite.py --quick               # 100, 10,000 and 100,000 rows, one run: under two minutes
    python benchmarks/suite.py --rss-only --rss-rows 5000000   # fetch_arrow_batches memory over 5 M rows

One local Data Cloud, in a process of its own, serves every client: the object
ssot__EmailEngagement__dlm (10 columns of text, decimal(18,2), bigint, double, boolean, date and
timestamp with time zone, nulls in each), read as ``SELECT * … LIMIT n``, V3 chunks of the
server's default 100,000 rows whatever the size. Each client runs in its own process with
everything it uses imported before its clock starts, and reports connect / execute / fetch
(clients that query and fetch in one call report one figure); the server counts the HTTP
requests each client made (a background revoke included). "The floor" is the cheapest complete
fetch: raw ``requests``, the same login, and, knowing the size in advance, one ADAPTIVE V3 call
with the documented maximum inline (20 MB) or, for a larger result, an ASYNC query and its chunks
8 at once (cdpdb's default); the same DataFrame dtypes as cdpdb's.
Prints markdown tables (medians; ratios within this run) and draws time against size in
benchmarks/results.png.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
TABLE = "ssot__EmailEngagement__dlm"
FLOOR = "floor (raw HTTP V3 + pyarrow)"
BEST = "cdpdb V3 → DataFrame"
CASES: dict[str, tuple[str, dict, dict]] = {  # name: (client kind, connect() options, execute() options)
    BEST: ("cdpdb-df", {"api": "v3"}, {}),  # max_workers: the default (8)
    "cdpdb V3 serial → DataFrame": ("cdpdb-df", {"api": "v3", "max_workers": 1}, {}),
    "cdpdb V2 Arrow → DataFrame": ("cdpdb-df", {"api": "v2"}, {}),
    "cdpdb V2 JSON → DataFrame": ("cdpdb-df", {"api": "v2", "arrow": False}, {}),
    "cdpdb Connect → DataFrame": ("cdpdb-df", {"api": "connect"}, {}),
    "cdpdb V1 → DataFrame": ("cdpdb-df", {"api": "v1"}, {"orderby": "ssot__Id__c"}),  # V1 pages need an order
    "cdpdb V3 fetchall": ("cdpdb-rows", {"api": "v3"}, {}),
    FLOOR: ("floor", {"workers": 8}, {}),  # as many downloads at once as cdpdb's default
    "salesforce-cdp-connector get_pandas_dataframe": ("cdp-df", {}, {}),
    "salesforce-cdp-connector fetchall": ("cdp-rows", {}, {}),
    "salesforce-datacloud-connector fetch_df": ("datacloud-df", {}, {}),
    "salesforce-datacloud-connector fetchall": ("datacloud-rows", {}, {}),
}
OFFICIAL_DATAFRAMES = ("salesforce-cdp-connector get_pandas_dataframe", "salesforce-datacloud-connector fetch_df")


def official(name: str) -> bool:
    return name.startswith("salesforce-")


def run_client(server, kind: str, options: dict, execute: dict, rows: int, total: int) -> dict:
    """One client in its own process (benchmarks/_client.py): its phases, rows and requests."""
    limit = "" if rows >= total else f" LIMIT {rows}"
    job = {
        "kind": kind,
        "rows": rows,
        "options": options,
        "execute": execute,
        "login_url": server.info["login_url"],
        "ca": server.info["ca"],
        "credentials": server.info["credentials"],
        "hyper_sql": f'SELECT * FROM "{TABLE}"{limit}',
        "legacy_sql": f"SELECT * FROM {TABLE}{limit}",
    }
    before = server.requests()
    done = subprocess.run(
        [sys.executable, str(HERE / "_client.py"), json.dumps(job)], capture_output=True, text=True, timeout=3600
    )
    if done.returncode:
        raise RuntimeError(f"{kind} {options}: {done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["requests"] = server.requests() - before
    if "seconds" in out and out["rows"] != rows:
        raise RuntimeError(f"{kind} {options} returned {out['rows']} rows, not {rows}")
    return out


def measure(server, sizes: list[int], total: int, latencies: list[float], repeat: int, cases: dict, official_max: int):
    """{(rows, latency): {client: medians}}, the clients interleaved so that noise falls on all,
    after one untimed run of the floor: the server's first run of a statement (its plan, its
    caches) would otherwise fall on whichever client comes first."""
    results: dict = {}
    for latency in latencies:
        server.set_limits(latency_ms=latency)
        for rows in sizes:
            chosen = {n: c for n, c in cases.items() if not (official(n) and rows > official_max)}
            run_client(server, *cases[FLOOR], rows, total)  # warm-up, not measured
            samples: dict[str, list[dict]] = {name: [] for name in chosen}
            for _ in range(repeat):
                for name, (kind, options, execute) in chosen.items():
                    samples[name].append(run_client(server, kind, options, execute, rows, total))
            results[(rows, latency)] = {name: _medians(runs) for name, runs in samples.items()}
            print(f"  measured {rows:,} rows at {latency:g} ms", file=sys.stderr, flush=True)
    server.set_limits(latency_ms=0)
    return results


def _medians(runs: list[dict]) -> dict:
    phases = {p for run in runs for p in run["phases"]}
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "phases": {p: statistics.median(r["phases"].get(p, 0.0) for r in runs) for p in phases},
        "requests": statistics.median(r["requests"] for r in runs),
        "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
    }


def _phase(value: dict, name: str) -> str:
    return f"{value['phases'][name]:.3f}" if name in value["phases"] else "—"


def print_tables(results: dict, repeat: int) -> None:
    for (rows, latency), by_case in results.items():
        floor = by_case[FLOOR]["seconds"]
        print(f"\n### {rows:,} rows, {latency:g} ms added per request, median of {repeat}\n")
        print("| client | total s | connect s | execute s | fetch s | requests | rows/s | peak RSS MB | / floor |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, value in by_case.items():
            print(
                f"| {name} | {value['seconds']:.3f} | {_phase(value, 'connect')} | {_phase(value, 'execute')} | "
                f"{_phase(value, 'fetch')} | {value['requests']:g} | {rows / value['seconds']:,.0f} | "
                f"{value['peak_rss_mb']:,.0f} | {value['seconds'] / floor:.2f} |"
            )
        print("\nTargets (ratios in this run):")
        for line in targets(by_case, rows, latency):
            print(f"- {line}")


def targets(by_case: dict, rows: int, latency: float) -> list[str]:
    """The issue's ratios, each only when this run measured both sides (``--only`` leaves some out)."""
    seconds = {name: value["seconds"] for name, value in by_case.items()}
    lines = []
    best = seconds.get(BEST)
    officials = [seconds[n] for n in OFFICIAL_DATAFRAMES if n in seconds]
    if best and officials:
        ratio = best / min(officials)
        lines.append(f"DataFrame / fastest official connector's: {ratio:.2f} (target ≤ 1) {_met(ratio <= 1)}")
    if best and FLOOR in seconds:
        ratio = best / seconds[FLOOR]
        lines.append(f"DataFrame / floor: {ratio:.2f} (target ≤ 1.2) {_met(ratio <= 1.2)}")
    if best and rows >= 1_000_000 and "cdpdb V3 fetchall" in seconds:
        ratio = seconds["cdpdb V3 fetchall"] / best
        lines.append(f"fetchall / DataFrame: {ratio:.2f} (target ≤ 2.5 at 1 M rows) {_met(ratio <= 2.5)}")
    arrow = seconds.get("cdpdb V2 Arrow → DataFrame")
    for name in ("cdpdb V2 JSON → DataFrame", "cdpdb Connect → DataFrame"):
        if arrow and name in seconds:
            lines.append(f"{name} / V2 Arrow: {seconds[name] / arrow:.2f} (target ≤ 2)")
    if best and latency and "cdpdb V3 serial → DataFrame" in seconds:
        lines.append(f"V3 parallel vs serial: {seconds['cdpdb V3 serial → DataFrame'] / best:.2f}x faster")
    return lines


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    latencies = sorted({latency for _, latency in results})
    fig, axes = plt.subplots(1, len(latencies), figsize=(8 * len(latencies), 6), squeeze=False)
    for ax, latency in zip(axes[0], latencies, strict=True):
        keys = sorted(rows for rows, lat in results if lat == latency)
        names = list(results[(keys[0], latency)])
        for number, name in enumerate(names):
            points = [(r, results[(r, latency)][name]["seconds"]) for r in keys if name in results[(r, latency)]]
            style = "-" if name.startswith("cdpdb") else ":" if name.startswith("floor") else "--"
            ax.plot(*zip(*points, strict=True), style, marker="o", label=name, color=plt.cm.tab20(number % 20))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rows")
        ax.set_ylabel("seconds, connect to finished result (median), lower is better")
        ax.set_title(f"{latency:g} ms added per request")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def rss_growth(server, rows: int, total: int, workers: int) -> dict:
    out = run_client(server, "cdpdb-batches", {"api": "v3", "max_workers": workers}, {}, rows, total)
    if out["rows"] != rows:
        raise RuntimeError(f"fetch_arrow_batches returned {out['rows']} rows, not {rows}")
    return out


def main() -> None:
    from _server import ServerProcess

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0, 50])
    parser.add_argument(
        "--quick", action="store_true", help="100, 10,000 and 100,000 rows, one run, no official connector's fetchall"
    )
    parser.add_argument(
        "--official-max-rows", type=int, default=1_000_000, help="Salesforce's connectors up to this size (slow)"
    )
    parser.add_argument("--only", nargs="+", default=None, help="clients whose name contains one of these")
    parser.add_argument("--rss-rows", type=int, default=0, help="also measure fetch_arrow_batches RSS over N rows")
    parser.add_argument("--rss-only", action="store_true", help="only the fetch_arrow_batches memory measurement")
    args = parser.parse_args()
    wanted = args.only or list(CASES)
    if args.quick:  # the official connectors' fetchall alone would take most of the two minutes
        args.sizes, args.repeat = [100, 10_000, 100_000], 1
        wanted = [n for n in wanted if not (official(n) and n.endswith("fetchall"))]
    cases = {n: c for n, c in CASES.items() if any(o in n for o in wanted) or n in (BEST, FLOOR)}
    started = time.perf_counter()
    if not args.rss_only:
        scale = max(max(args.sizes) // 5, 1000)
        total = 5 * scale  # the object's rows (five engagements per individual): read whole, without LIMIT
        with ServerProcess(scale=scale) as server:
            sizes, official_max = sorted(args.sizes), args.official_max_rows
            results = measure(server, sizes, total, args.latency_ms, args.repeat, cases, official_max)
        print_tables(results, args.repeat)
        chart(results, HERE / "results.png")
    if args.rss_rows:
        print("\n### fetch_arrow_batches memory (V3, chunks of 100,000 rows)\n")
        for rows in (args.rss_rows // 5, args.rss_rows):
            with ServerProcess(scale=rows // 5) as server:
                for workers in (1, 2, 4, 8):
                    rss = rss_growth(server, rows, rows, workers)
                    growth = rss["peak_mb"] - rss["baseline_mb"]
                    print(
                        f"- {rss['rows']:,} rows, max_workers={workers}: RSS after the first batch "
                        f"{rss['baseline_mb']:,.0f} MB, peak {rss['peak_mb']:,.0f} MB, growth {growth:,.0f} MB = "
                        f"{growth / rss['batch_mb']:.1f} chunks of {rss['batch_mb']:.1f} MB"
                    )
    print(f"\n(total benchmark time {time.perf_counter() - started:.0f} s; chart: benchmarks/results.png)")


if __name__ == "__main__":
    main()
