"""The Adobe lookup benchmark by size: profiles looked up by identity through ``IN`` batches, every
client beside its floor, at 0 and 50 ms per request.

    pip install -e ".[test,bench]"
    python benchmarks/adobe.py                        # 100, 1,000 and 10,000 identities, 0 and 50 ms, median of 3
    python benchmarks/adobe.py --sizes 100000 --repeat 1 --latency-ms 0
    python benchmarks/adobe.py --quick                # 100 and 1,000 identities, one run: well under 2 minutes

Lookups are by identity, so "size" is the number of identities looked up (and of rows returned).
The default sizes stop at 10,000: a lookup names its identities in the statement, so it is for a
known list (a dashboard's customers, a campaign's audience sample), and it costs one POST per 100
identities, so time grows in a straight line with the size past the first batch; 100,000 is 1,000
POSTs and a 100,000-literal statement to parse, which is the export path's job
(``--sizes 100000`` runs it all the same).

One local Adobe (sandbox prod, as many generated XDM profiles as the largest size; HTTPS) runs in a
process of its own (benchmarks/_bench.py) and serves every client; it counts the HTTP requests
each client made. Each client runs in its own process (this script with ``--client``), timed from
connect (the IMS login included) to the finished Arrow table of identity + first name + city,
imports excluded; peak RSS is the process's own VmHWM. cdpdb runs ``SELECT identity,
person_name_firstName, homeAddress_city FROM profiles WHERE namespace = 'email' AND identity IN
(<n literals>)``: parse, push down, one ``POST /access/entities`` per 100 identities (the batch
limit), ``lookup_threads`` at once, flatten, DuckDB re-checks the predicates. "The floor" is the
cheapest complete fetch of the same batches: requests + orjson, the three values picked out of
each answer by hand into a pyarrow table, no checks, with the same number of threads. Prints a
markdown table per size and latency: medians and each client's ratio to its floor.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _bench import CDPDB_LAZY, ServerProcess, cpu_seconds, markdown, measure, peak_rss_mb, preimport, python, run_json

HERE = Path(__file__)
SERVE = "cdpdb.backends.adobe.local:serve"
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
    """One measured lookup (run in its own process): seconds, rows, client CPU, peak RSS."""
    wanted = identities(job["count"])
    preimport(*(CDPDB_LAZY if job["kind"] == "cdpdb" else ("requests", "orjson")))
    if job["kind"] == "cdpdb":
        import cdpdb
        import cdpdb.backends.adobe.session  # imported before the clock, as the floor's requests is

        cpu, started = cpu_seconds(), time.perf_counter()
        with cdpdb.connect(backend="adobe", lookup_threads=job["threads"], **job["connect_args"]) as conn:
            cursor = conn.cursor()
            listed = ", ".join(f"'{v}'" for v in wanted)
            cursor.execute(f"SELECT {COLUMNS} FROM profiles WHERE namespace = 'email' AND identity IN ({listed})")
            table = cursor.fetch_arrow_table()
        out = {"seconds": time.perf_counter() - started, "cpu_seconds": cpu_seconds() - cpu, "rows": table.num_rows}
    else:
        out = floor(job, wanted)
    return {**out, "peak_rss_mb": peak_rss_mb()}


def floor(job: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    import orjson
    import pyarrow as pa
    import requests

    from cdpdb.backends.adobe import wire

    args = job["connect_args"]
    cpu, started = cpu_seconds(), time.perf_counter()
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
    return {"seconds": time.perf_counter() - started, "cpu_seconds": cpu_seconds() - cpu, "rows": table.num_rows}


def measure_sizes(sizes: list[int], latencies: list[float], repeat: int) -> dict[int, dict]:
    """{identities: {latency: {case: medians}}}, all sizes on one server of max(sizes) profiles."""
    results: dict[int, dict] = {}
    with ServerProcess(SERVE, scale=max(sizes)) as adobe:
        args = adobe.call("connect_args")

        def case(kind: str, threads: int, count: int):  # type: ignore[no-untyped-def]
            job = json.dumps({"kind": kind, "threads": threads, "count": count, "connect_args": args})
            return lambda: run_json(python(HERE, "--client", job), f"{kind}, {threads} threads, {count} identities")

        for count in sizes:
            cases = {name: case(kind, threads, count) for name, (kind, threads, _floor) in CASES.items()}
            results[count] = measure(adobe, latencies, repeat, cases)
            for latency, by_case in results[count].items():
                for name, value in by_case.items():
                    if value["rows"] != count:
                        raise RuntimeError(f"{name} found {value['rows']} rows of {count} at {latency:g} ms")
            print(f"  ({count:,} identities measured)", file=sys.stderr, flush=True)
    return results


def print_tables(results: dict[int, dict], repeat: int) -> None:
    headers = [
        "client",
        "identities",
        "median s",
        "lookups/s",
        "requests",
        "client CPU s",
        "peak RSS MB",
        "/ its floor",
    ]
    for count, by_latency in results.items():
        for latency, by_case in by_latency.items():
            print(
                f"\n### {count:,} identities in IN batches of 100, {latency:g} ms added per request, "
                f"median of {repeat}\n"
            )
            rows = []
            for name, value in by_case.items():
                floor_name = CASES[name][2]
                ratio = value["seconds"] / by_case[floor_name]["seconds"] if floor_name else 1.0
                rows.append(
                    [
                        name,
                        f"{count:,}",
                        f"{value['seconds']:.3f}",
                        f"{count / value['seconds']:,.0f}",
                        f"{value['requests']:.0f}",
                        f"{value['cpu_seconds']:.2f}",
                        f"{value['peak_rss_mb']:,.0f}",
                        f"{ratio:.2f}",
                    ]
                )
            print(markdown(headers, rows), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000], help="identities looked up")
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 identities, one run")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client(json.loads(args.client))))
        return
    if args.quick:
        args.sizes, args.repeat = [100, 1_000], 1
    started = time.perf_counter()
    results = measure_sizes(sorted(args.sizes), args.latency_ms, args.repeat)
    print_tables(results, args.repeat)
    print(f"\n(total benchmark time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
