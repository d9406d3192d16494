"""fetchall() of one result, cdpdb per API generation vs Salesforce's Python connectors.

    pip install -e ".[test]"        # brings both official connectors
    python benchmarks/fetchall.py [--rows 100000] [--repeat 5] [--latency-ms 0]

One local Data Cloud serves every client; each client runs in its own process (the old
connector patches requests process-wide), timed from connect() to the last row, rows as
Python tuples (imports excluded). Prints a markdown table of medians and of ratios to cdpdb within this run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from cdpdb.local import Limits, serve

TABLE = "ssot__EmailEngagement__dlm"
CLIENTS = {
    "cdpdb v3 (Arrow)": ("cdpdb", {"api": "v3"}),
    "cdpdb v3 (JSON)": ("cdpdb", {"api": "v3", "arrow": False}),
    "cdpdb v2 (Arrow)": ("cdpdb", {"api": "v2"}),
    "cdpdb v2 (JSON)": ("cdpdb", {"api": "v2", "arrow": False}),
    "cdpdb v1": ("cdpdb", {"api": "v1"}),
    "cdpdb connect": ("cdpdb", {"api": "connect"}),
    "salesforce-cdp-connector 1.0.20 (V2)": ("cdp", {}),
    "salesforce-datacloud-connector 2.0.0b1 (Connect)": ("datacloud", {}),
}
BASELINE = {"cdp": "cdpdb v2 (JSON)", "datacloud": "cdpdb connect"}

RUNNER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
job = json.loads(sys.argv[1])
c = job["credentials"]
if job["client"] == "cdpdb":
    import cdpdb
    started = time.perf_counter()  # imports are not part of fetchall()
    conn = cdpdb.connect(login_url=job["login_url"], username=c["username"], password=c["password"],
                         client_id=c["client_id"], client_secret=c["client_secret"], ca_bundle=job["ca"],
                         **job["options"])
    cur = conn.cursor()
    legacy = job["options"]["api"] in ("v1", "v2")
    sql = f"SELECT * FROM {job['table']}" if legacy else f'SELECT * FROM "{job["table"]}"'
    cur.execute(sql, **({"orderby": "ssot__Id__c"} if job["options"]["api"] == "v1" else {}))
    rows = cur.fetchall()
elif job["client"] == "cdp":
    from salesforcecdpconnector.connection import SalesforceCDPConnection
    started = time.perf_counter()
    conn = SalesforceCDPConnection(job["login_url"], c["username"], c["password"], c["client_id"], c["client_secret"])
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM {job['table']}")
    rows = cur.fetchall()
else:
    import salesforce_datacloud_connector as sfdc
    started = time.perf_counter()
    conn = sfdc.connect(login_url=job["login_url"], auth_type="username_password", username=c["username"],
                        password=c["password"], client_id=c["client_id"], client_secret=c["client_secret"])
    cur = conn.cursor()
    cur.execute(f'SELECT * FROM "{job["table"]}"')
    rows = cur.fetchall()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": len(rows)}))
"""


def run(cloud, client: str, options: dict) -> dict:
    job = {
        "client": client,
        "options": options,
        "login_url": cloud.login_url,
        "ca": cloud.ca_path,
        "credentials": asdict(cloud.credentials),
        "table": TABLE,
    }
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(job)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=Path(__file__).parent,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    with serve(scale=args.rows // 5, limits=Limits(latency_ms=args.latency_ms)) as cloud:
        times: dict[str, list[float]] = {name: [] for name in CLIENTS}
        for _ in range(args.repeat):  # interleaved, so machine noise spreads over every client
            for name, (client, options) in CLIENTS.items():
                out = run(cloud, client, options)
                assert out["rows"] == args.rows, (name, out)
                times[name].append(out["seconds"])
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"fetchall() of {args.rows:,} rows x 10 columns; latency {args.latency_ms:g} ms per request; "
        f"median of {args.repeat}\n"
    )
    print("| client | median s | rows/s | vs cdpdb |")
    print("|---|---:|---:|---:|")
    for name, (client, _) in CLIENTS.items():
        baseline = BASELINE.get(client)
        ratio = f"{medians[name] / medians[baseline]:.1f}x slower than {baseline}" if baseline else ""
        print(f"| {name} | {medians[name]:.2f} | {args.rows / medians[name]:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
