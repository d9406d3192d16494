"""The Adobe lookup benchmark: 10,000 profiles looked up by identity through ``IN`` batches.

    pip install -e ".[test,bench]"
    python benchmarks/adobe.py                        # 10,000 identities, 0 ms, 5 runs
    python benchmarks/adobe.py --latency-ms 0 20      # also with 20 ms added per request
    python benchmarks/adobe.py --quick                # 2,000 identities, 1 run

One local Adobe (sandbox prod, 10,000 generated XDM profiles; HTTPS) serves every client. Each
client runs in its own process (this script with ``--client``), timed from connect (the IMS
login included) to the finished Arrow table of identity + first name + city, imports excluded.
cdpdb runs ``SELECT identity, person_name_firstName, homeAddress_city FROM profiles WHERE
namespace = 'email' AND identity IN (<10,000 literals>)``: parse, push down, 100 batch POSTs of
``POST /access/entities`` (the batch limit), flatten, DuckDB re-checks the predicates. "The floor"
is the cheapest complete fetch of the same batches: requests + orjson, the three values picked
out of each answer by hand into a pyarrow table, no checks, with the same number of threads.
Prints a markdown table of medians and each client's ratio to its floor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__)
COLUMNS = "identity, person_name_firstName, homeAddress_city"
CASES = {  # name → (kind, threads, the floor it is compared with)
    "cdpdb IN (...) → Arrow, 4 threads": ("cdpdb", 4, "floor raw HTTP, 4 threads"),
    "cdpdb IN (...) → Arrow, 1 thread": ("cdpdb", 1, "floor raw HTTP, 1 thread"),
    "floor raw HTTP, 4 threads": ("floor", 4, None),
    "floor raw HTTP, 1 thread": ("floor", 1, None),
}


def identities(count: int) -> list[str]:
    from cdpdb.backends.adobe.local.dataset import identity

    return [identity("email", n, "prod") for n in range(1, count + 1)]


def client(job: dict[str, Any]) -> dict[str, Any]:
    """One measured lookup (run in its own process)."""
    wanted = identities(job["count"])
    args = job["connect_args"]
    if job["kind"] == "cdpdb":
        import cdpdb

        started = time.perf_counter()
        with cdpdb.connect(backend="adobe", lookup_threads=job["threads"], **args) as conn:
            cursor = conn.cursor()
            listed = ", ".join(f"'{v}'" for v in wanted)
            cursor.execute(f"SELECT {COLUMNS} FROM profiles WHERE namespace = 'email' AND identity IN ({listed})")
            table = cursor.fetch_arrow_table()
        return {"seconds": time.perf_counter() - started, "rows": table.num_rows}
    return floor(job, wanted)


def floor(job: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    import orjson
    import pyarrow as pa
    import requests

    from cdpdb.backends.adobe import wire

    args = job["connect_args"]
    started = time.perf_counter()
    session = requests.Session()
    session.trust_env = False
    session.verify = args.get("ca_bundle", True)
    login = session.post(
        args["ims_url"] + wire.IMS_TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": args["client_id"],
            "client_secret": args["client_secret"],
            "scope": wire.DEFAULT_SCOPES,
        },
    )
    headers = {
        "Authorization": f"Bearer {login.json()['access_token']}",
        wire.API_KEY: args["client_id"],
        wire.ORG_ID: args["org_id"],
        wire.SANDBOX: "prod",
        "Content-Type": "application/json",
    }
    url = args["platform_url"] + wire.ENTITIES
    fields = ["person.name.firstName", "homeAddress.city", "identityMap"]

    def batch(chunk: list[str]) -> list[tuple[str, Any, Any]]:
        body = {
            "schema": {"name": wire.PROFILE_SCHEMA},
            "fields": fields,
            "identities": [{"entityId": v, "entityIdNS": {"code": "email"}} for v in chunk],
        }
        answer = orjson.loads(session.post(url, data=orjson.dumps(body), headers=headers).content)
        out = []
        for found in answer.values():
            entity = found["entity"]
            for item in entity["identityMap"]["email"]:
                out.append(
                    (
                        item["id"],
                        entity.get("person", {}).get("name", {}).get("firstName"),
                        entity.get("homeAddress", {}).get("city"),
                    )
                )
        return out

    size = wire.MAX_BATCH_IDENTITIES
    chunks = [wanted[i : i + size] for i in range(0, len(wanted), size)]
    with ThreadPoolExecutor(job["threads"]) as pool:
        rows = [r for part in pool.map(batch, chunks) for r in part]
    table = pa.table({name: [r[i] for r in rows] for i, name in enumerate(("identity", "firstName", "city"))})
    return {"seconds": time.perf_counter() - started, "rows": table.num_rows}


def run(adobe: Any, kind: str, threads: int, count: int) -> dict[str, Any]:
    job = {"kind": kind, "threads": threads, "count": count, "connect_args": adobe.connect_args()}
    done = subprocess.run(
        [sys.executable, str(HERE), "--client", json.dumps(job)], capture_output=True, text=True, timeout=1800
    )
    if done.returncode:
        raise RuntimeError(f"{kind}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--identities", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client(json.loads(args.client))))
        return
    if args.quick:
        args.identities, args.repeat = 2_000, 1
    from cdpdb.backends.adobe.local import serve

    started = time.perf_counter()
    with serve(scale=args.identities) as adobe:
        for latency in args.latency_ms:
            adobe.faults.set_limits(latency_ms=latency)
            samples: dict[str, list[dict[str, Any]]] = {name: [] for name in CASES}
            for _ in range(args.repeat):  # interleaved, so machine noise spreads over every client
                for name, (kind, threads, _floor) in CASES.items():
                    samples[name].append(run(adobe, kind, threads, args.identities))
            print(
                f"\n### {args.identities:,} identities in IN batches of 100, {latency:g} ms added per request, "
                f"median of {args.repeat}\n"
            )
            print("| client | rows | median s | lookups/s | time / its floor |")
            print("|---|---:|---:|---:|---:|")
            medians = {name: statistics.median(r["seconds"] for r in runs) for name, runs in samples.items()}
            for name, runs in samples.items():
                rows = {r["rows"] for r in runs}
                if rows != {args.identities}:
                    raise RuntimeError(f"{name} found {rows} rows, not {args.identities}")
                floor_name = CASES[name][2]
                ratio = medians[name] / medians[floor_name] if floor_name else 1.0
                print(
                    f"| {name} | {args.identities:,} | {medians[name]:.2f} | "
                    f"{args.identities / medians[name]:,.0f} | {ratio:.2f} |"
                )
    print(f"\n(total benchmark time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
