"""Per-query overhead: many small queries on one warm connection, cdpdb against a bare HTTP
request of the same query to the same server, per API.

    pip install -e ".[test,bench]"
    python benchmarks/overhead.py                  # 200 queries of SELECT 1 per API, 0 ms latency
    python benchmarks/overhead.py --queries 500 --sql 'SELECT * FROM "ssot__Individual__dlm" LIMIT 100'

The local Data Cloud runs in its own process. Each round times one bare request (requests, the
same token, the same body cdpdb sends, the answer's bytes read, not decoded) and then one cdpdb
query (``execute`` + ``fetchall``), alternating so machine noise falls on both alike. Wall time
and this process's CPU time per query are reported as median and p95; "ours" is cdpdb's median
minus the bare request's: what the driver adds per query (building the request, checking and
decoding the answer, making rows).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import requests
from _client import core_login, raw_login

import cdpdb
from cdpdb.backends.salesforce import wire

warnings.filterwarnings("ignore")
APIS = ("v3", "v2", "v1", "connect")


def bare_request(info: dict, api: str, sql: str) -> Callable[[], bytes]:
    """One query as cdpdb sends it, with nothing around it: a function that runs it once."""
    http = requests.Session()
    http.verify, http.trust_env = info["ca"], False
    if api == "connect":
        core = core_login(http, info["login_url"], info["credentials"])
        url = f"{core['instance_url']}{wire.connect_query_path(wire.CONNECT_API_VERSION)}"
        headers, body = {"Authorization": f"Bearer {core['access_token']}"}, {"sql": sql}
    else:
        token, base = raw_login(http, info["login_url"], info["credentials"])
        headers = {"Authorization": f"Bearer {token}"}
        body: dict[str, Any] = {"sql": sql}
        if api == "v3":
            url = f"{base}{wire.V3_QUERY_PATH}"
            headers["Accept"] = wire.ARROW_MEDIA_TYPE
            body.update(transferMode="ADAPTIVE", resultRange={"byteLimit": wire.V3_INLINE_BYTES})
        else:
            url = f"{base}{wire.V2_QUERY_PATH if api == 'v2' else wire.V1_QUERY_PATH}"
            if api == "v2":
                headers[wire.ARROW_STREAM_HEADER] = "true"

    def run() -> bytes:
        answer = http.post(url, json=body, headers=headers)
        answer.raise_for_status()
        return answer.content

    return run


def timed(action: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def measure(info: dict, api: str, sql: str, queries: int, warmup: int) -> dict[str, list[float]]:
    bare = bare_request(info, api, sql)
    cursor = cdpdb.connect(**info["connect_args"], api=api).cursor()

    def ours() -> None:
        cursor.execute(sql)
        cursor.fetchall()

    samples: dict[str, list[float]] = {"bare wall": [], "bare cpu": [], "cdpdb wall": [], "cdpdb cpu": []}
    for n in range(warmup + queries):
        bare_wall, bare_cpu = timed(bare)
        our_wall, our_cpu = timed(ours)
        if n >= warmup:
            for name, value in zip(samples, (bare_wall, bare_cpu, our_wall, our_cpu), strict=True):
                samples[name].append(value)
    cursor.connection.close()
    return samples


def main() -> None:
    from _server import ServerProcess

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--sql", default="SELECT 1")
    parser.add_argument("--apis", nargs="+", default=list(APIS), choices=APIS)
    args = parser.parse_args()
    print(f"\n{args.queries} queries of {args.sql!r} per API on one connection, median (p95) in ms\n")
    print("| API | bare HTTP wall | cdpdb wall | ours (wall) | bare HTTP CPU | cdpdb CPU | ours (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with ServerProcess(scale=1000) as server:
        for api in args.apis:
            s = measure(server.info, api, args.sql, args.queries, args.warmup)
            med = {name: statistics.median(values) for name, values in s.items()}
            cell = {name: f"{med[name]:.2f} ({p95(values):.2f})" for name, values in s.items()}
            ours_wall, ours_cpu = med["cdpdb wall"] - med["bare wall"], med["cdpdb cpu"] - med["bare cpu"]
            print(
                f"| {api} | {cell['bare wall']} | {cell['cdpdb wall']} | {ours_wall:.2f} | "
                f"{cell['bare cpu']} | {cell['cdpdb cpu']} | {ours_cpu:.2f} |"
            )


if __name__ == "__main__":
    main()
