"""One benchmark client, run in its own process by suite.py; prints seconds, rows and peak RSS."""

from __future__ import annotations

import base64
import json
import resource
import sys
import time
import warnings

from cdpdb.backends.salesforce import wire

warnings.filterwarnings("ignore")


def peak_rss_mb() -> float:
    """VmHWM: this process's own peak (ru_maxrss would include the parent's memory from before exec)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


def raw_login(http, login_url: str, credentials: dict) -> tuple[str, str]:
    """The raw-HTTP floor's login: password flow, then the a360 exchange (token, tenant URL)."""
    core = http.post(
        f"{login_url}{wire.TOKEN_PATH}",
        data={
            "grant_type": "password",
            **{k: credentials[k] for k in ("client_id", "client_secret", "username", "password")},
        },
    ).json()["access_token"]
    answer = http.post(
        f"{login_url}{wire.EXCHANGE_PATH}",
        data={"grant_type": wire.CDP_GRANT, "subject_token": core, "subject_token_type": wire.ACCESS_TOKEN_TYPE},
    ).json()
    return answer["access_token"], f"https://{answer['instance_url']}"


def login(job, http):
    token, base = raw_login(http, job["login_url"], job["credentials"])
    return {"Authorization": f"Bearer {token}"}, base


def main() -> None:
    job = json.loads(sys.argv[1])
    kind, c, table = job["kind"], job["credentials"], job["table"]
    hyper_sql, legacy_sql = f'SELECT * FROM "{table}"', f"SELECT * FROM {table}"
    import pyarrow as pa

    if kind.startswith("cdpdb"):
        import cdpdb

        started = time.perf_counter()
        conn = cdpdb.connect(
            login_url=job["login_url"],
            username=c["username"],
            password=c["password"],
            client_id=c["client_id"],
            client_secret=c["client_secret"],
            ca_bundle=job["ca"],
            **job["options"],
        )
        cur = conn.cursor()
        api = job["options"]["api"]
        # V1 pages past 49,999 rows only with a stable order.
        cur.execute(
            legacy_sql if api in ("v1", "v2") else hyper_sql, **({"orderby": "ssot__Id__c"} if api == "v1" else {})
        )
        if kind == "cdpdb-rows":
            rows = len(cur.fetchall())
        elif kind == "cdpdb-batches":
            rows, baseline, peak, batch_mb = 0, None, 0.0, 0.0
            for batch in cur.fetch_arrow_batches():
                rows += batch.num_rows
                batch_mb = max(batch_mb, batch.nbytes / 2**20 * (100_000 / max(batch.num_rows, 1)))  # per chunk
                now = current_rss_mb()
                baseline = now if baseline is None else baseline
                peak = max(peak, now)
            print(json.dumps({"rows": rows, "baseline_mb": baseline, "peak_mb": peak, "batch_mb": batch_mb}))
            return
        else:
            rows = len(cur.fetch_pandas_all())
    elif kind.startswith("floor"):
        import requests

        http = requests.Session()
        http.verify = job["ca"]
        http.trust_env = False
        started = time.perf_counter()
        headers, base = login(job, http)
        if kind == "floor-v2":
            headers[wire.ARROW_STREAM_HEADER] = "true"
            body = http.post(f"{base}{wire.V2_QUERY_PATH}", json={"sql": legacy_sql}, headers=headers).json()
            tables = []
            while True:
                tables.append(pa.ipc.open_stream(base64.b64decode(body["arrowStream"])).read_all())
                if body["done"]:
                    break
                body = http.get(f"{base}{wire.V2_QUERY_PATH}/{body['nextBatchId']}", headers=headers).json()
        else:
            from concurrent.futures import ThreadPoolExecutor

            answer = http.post(
                f"{base}{wire.V3_QUERY_PATH}", json={"sql": hyper_sql, "transferMode": "ASYNC"}, headers=headers
            )
            query_id = json.loads(answer.headers[wire.STATUS_HEADER])["queryId"]
            status = http.get(
                f"{base}{wire.V3_QUERY_PATH}/{query_id}", params={"waitTimeMs": 10000}, headers=headers
            ).json()
            arrow_headers = {**headers, "Accept": wire.ARROW_MEDIA_TYPE}

            def chunk(n):
                content = http.get(f"{base}{wire.V3_QUERY_PATH}/{query_id}/chunks/{n}", headers=arrow_headers).content
                return pa.ipc.open_stream(content).read_all()

            with ThreadPoolExecutor(job["options"]["workers"]) as pool:
                tables = list(pool.map(chunk, range(status["chunkCount"])))
        rows = len(pa.concat_tables(tables).to_pandas())
    elif kind.startswith("cdp-"):
        from salesforcecdpconnector.connection import SalesforceCDPConnection

        started = time.perf_counter()
        conn = SalesforceCDPConnection(
            job["login_url"], c["username"], c["password"], c["client_id"], c["client_secret"]
        )
        if kind == "cdp-df":
            rows = len(conn.get_pandas_dataframe(legacy_sql))
        else:
            cur = conn.cursor()
            cur.execute(legacy_sql)
            rows = len(cur.fetchall())
    else:
        import salesforce_datacloud_connector as sfdc

        started = time.perf_counter()
        conn = sfdc.connect(
            login_url=job["login_url"],
            auth_type="username_password",
            username=c["username"],
            password=c["password"],
            client_id=c["client_id"],
            client_secret=c["client_secret"],
        )
        cur = conn.cursor()
        cur.execute(hyper_sql)
        rows = len(cur.fetch_df()) if kind == "datacloud-df" else len(cur.fetchall())
    print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows, "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    main()
