"""How fast the local Data Cloud streams a large result, per wire format.

    python benchmarks/server_stream.py [--rows 1000000] [--repeat 3] [--latency-ms 0]

Measures, in one process and one run: V2 JSON (following the nextBatchId chain), V2 with
``enable-arrow-stream``, V3 Arrow chunks fetched serially and with 4 parallel workers. The client
side does the cheapest complete work: V2 pages are parsed with orjson (it needs nextBatchId),
Arrow bodies are opened with pyarrow. Prints a markdown table of medians.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

import orjson
import pyarrow as pa
import requests
from _client import raw_login

from cdpdb.backends.salesforce import wire
from cdpdb.local import Limits, serve

SQL = 'SELECT * FROM "ssot__EmailEngagement__dlm"'


def login(cloud, http: requests.Session) -> tuple[str, str]:
    return raw_login(http, cloud.login_url, asdict(cloud.credentials))


def v2(http, base, headers, arrow: bool) -> int:
    headers = {**headers, **({wire.ARROW_STREAM_HEADER: "true"} if arrow else {})}
    body = orjson.loads(
        http.post(f"{base}{wire.V2_QUERY_PATH}", data=orjson.dumps({"sql": SQL}), headers=headers).content
    )
    rows = 0
    while True:
        if arrow:
            rows += pa.ipc.open_stream(base64.b64decode(body["arrowStream"])).read_all().num_rows
        else:
            rows += len(body["data"])
        if body["done"]:
            return rows
        body = orjson.loads(http.get(f"{base}{wire.V2_QUERY_PATH}/{body['nextBatchId']}", headers=headers).content)


def v3(http, base, headers, workers: int) -> int:
    answer = http.post(f"{base}{wire.V3_QUERY_PATH}", json={"sql": SQL, "transferMode": "ASYNC"}, headers=headers)
    query_id = json.loads(answer.headers[wire.STATUS_HEADER])["queryId"]
    status = http.get(
        f"{base}{wire.V3_QUERY_PATH}/{query_id}", params={"waitTimeMs": wire.MAX_WAIT_MS}, headers=headers
    ).json()
    arrow_headers = {**headers, "Accept": wire.ARROW_MEDIA_TYPE}

    def chunk(n: int) -> int:
        content = http.get(f"{base}{wire.V3_QUERY_PATH}/{query_id}/chunks/{n}", headers=arrow_headers).content
        return pa.ipc.open_stream(content).read_all().num_rows

    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(chunk, range(status["chunkCount"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    limits = Limits(latency_ms=args.latency_ms)
    with serve(scale=args.rows // 5, limits=limits) as cloud:
        http = requests.Session()
        http.trust_env = False
        http.verify = cloud.ca_path
        token, base = login(cloud, http)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        cases = {
            "V2 JSON (nextBatchId chain)": lambda: v2(http, base, headers, arrow=False),
            "V2 enable-arrow-stream": lambda: v2(http, base, headers, arrow=True),
            "V3 Arrow chunks, serial": lambda: v3(http, base, headers, workers=1),
            "V3 Arrow chunks, 4 workers": lambda: v3(http, base, headers, workers=4),
        }
        print(f"rows: {args.rows:,}; latency per request: {args.latency_ms} ms; repeats: {args.repeat}\n")
        print("| wire format | median s | rows/s |")
        print("|---|---:|---:|")
        for name, run in cases.items():
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                rows = run()
                times.append(time.perf_counter() - started)
                assert rows == args.rows, (name, rows)
            median = statistics.median(times)
            print(f"| {name} | {median:.2f} | {args.rows / median:,.0f} |")


if __name__ == "__main__":
    main()
