"""fetchall() of one result, cdpdb per API generation vs Salesforce's Python connectors.

    pip install -e ".[test]"        # brings both official connectors
    python benchmarks/fetchall.py [--rows 100000] [--repeat 5] [--latency-ms 0]

One local Data Cloud (in its own process) serves every client; each client runs in its own process
(benchmarks/_client.py, shared with suite.py: the old connector patches requests process-wide),
timed from connect() to the last row as Python tuples, imports excluded. Prints a markdown table
of medians and of ratios to cdpdb on the same API within this run.
"""

from __future__ import annotations

import argparse
import statistics

from _server import ServerProcess
from suite import run_client

CLIENTS = {
    "cdpdb v3 (Arrow)": ("cdpdb-rows", {"api": "v3"}),
    "cdpdb v3 (JSON)": ("cdpdb-rows", {"api": "v3", "arrow": False}),
    "cdpdb v2 (Arrow)": ("cdpdb-rows", {"api": "v2"}),
    "cdpdb v2 (JSON)": ("cdpdb-rows", {"api": "v2", "arrow": False}),
    "cdpdb v1": ("cdpdb-rows", {"api": "v1"}),
    "cdpdb connect": ("cdpdb-rows", {"api": "connect"}),
    "salesforce-cdp-connector 1.0.20 (V2)": ("cdp-rows", {}),
    "salesforce-datacloud-connector 2.0.0b1 (Connect)": ("datacloud-rows", {}),
}
BASELINE = {"cdp-rows": "cdpdb v2 (JSON)", "datacloud-rows": "cdpdb connect"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    with ServerProcess(scale=args.rows // 5, latency_ms=args.latency_ms) as server:
        times: dict[str, list[float]] = {name: [] for name in CLIENTS}
        for _ in range(args.repeat):  # interleaved, so machine noise spreads over every client
            for name, (kind, options) in CLIENTS.items():
                execute = {"orderby": "ssot__Id__c"} if options.get("api") == "v1" else {}  # V1 pages need an order
                times[name].append(run_client(server, kind, options, execute, args.rows, args.rows)["seconds"])
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"fetchall() of {args.rows:,} rows x 10 columns; latency {args.latency_ms:g} ms per request; "
        f"median of {args.repeat}\n"
    )
    print("| client | median s | rows/s | vs cdpdb |")
    print("|---|---:|---:|---:|")
    for name, (kind, _) in CLIENTS.items():
        baseline = BASELINE.get(kind)
        ratio = f"{medians[name] / medians[baseline]:.1f}x slower than {baseline}" if baseline else ""
        print(f"| {name} | {medians[name]:.2f} | {args.rows / medians[name]:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
