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

import orjson
import pyarrow as pa
import requests

from cdpdb.local import Limits, serve

ARROW = "application/vnd.apache.arrow.stream"
CDP = "urn:salesforce:grant-type:external:cdp"
TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
SQL = 'SELECT * FROM "ssot__EmailEngagement__dlm"'


def login(cloud, http: requests.Session) -> tuple[str, str]:
    creds = cloud.credentials
    core = http.post(
        f"{cloud.login_url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "username": creds.username,
            "password": creds.password,
        },
    ).json()["access_token"]
    answer = http.post(
        f"{cloud.login_url}/services/a360/token",
        data={"grant_type": CDP, "subject_token_type": TOKEN_TYPE, "subject_token": core},
    ).json()
    return answer["access_token"], f"https://{answer['instance_url']}"


def v2(http, base, headers, arrow: bool) -> int:
    headers = {**headers, **({"enable-arrow-stream": "true"} if arrow else {})}
    body = orjson.loads(http.post(f"{base}/api/v2/query", data=orjson.dumps({"sql": SQL}), headers=headers).content)
    rows = 0
    while True:
        if arrow:
            rows += pa.ipc.open_stream(base64.b64decode(body["arrowStream"])).read_all().num_rows
        else:
            rows += len(body["data"])
        if body["done"]:
            return rows
        body = orjson.loads(http.get(f"{base}/api/v2/query/{body['nextBatchId']}", headers=headers).content)


def v3(http, base, headers, workers: int) -> int:
    answer = http.post(f"{base}/api/v3/query", json={"sql": SQL, "transferMode": "ASYNC"}, headers=headers)
    query_id = json.loads(answer.headers["x-hyperdb-status"])["queryId"]
    status = http.get(f"{base}/api/v3/query/{query_id}", params={"waitTimeMs": 10000}, headers=headers).json()
    arrow_headers = {**headers, "Accept": ARROW}

    def chunk(n: int) -> int:
        content = http.get(f"{base}/api/v3/query/{query_id}/chunks/{n}", headers=arrow_headers).content
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
