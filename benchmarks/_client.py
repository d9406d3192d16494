"""One benchmark client, run in its own process by suite.py: connects, queries and fetches, and
prints the time of each phase, the rows and its peak RSS as JSON.

Everything a client needs is imported before its clock starts (pandas, pyarrow, the client's own
package), so no client pays for an import inside its timing."""

from __future__ import annotations

import importlib
import json
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas  # noqa: F401  (imported before the clock, for every client alike)
import pyarrow as pa
from _bench import current_rss_mb, peak_rss_mb

from cdpdb.backends.salesforce import wire
from cdpdb.core.results.frames import to_pandas

warnings.filterwarnings("ignore")
ROW_BYTES = 120  # about one row of the benchmark's object in Arrow


def core_login(http: Any, login_url: str, credentials: dict) -> dict:
    """The raw password login: the token endpoint's answer (core token, instance URL)."""
    fields = {k: credentials[k] for k in ("client_id", "client_secret", "username", "password")}
    answer: dict = http.post(f"{login_url}{wire.TOKEN_PATH}", data={"grant_type": "password", **fields}).json()
    return answer


def raw_login(http: Any, login_url: str, credentials: dict) -> tuple[str, str]:
    """The raw floor's login: the password flow, then the a360 exchange (token, tenant URL)."""
    core = core_login(http, login_url, credentials)["access_token"]
    answer = http.post(
        f"{login_url}{wire.EXCHANGE_PATH}",
        data={"grant_type": wire.CDP_GRANT, "subject_token": core, "subject_token_type": wire.ACCESS_TOKEN_TYPE},
    ).json()
    tenant = answer["instance_url"]
    return answer["access_token"], tenant if "://" in tenant else f"https://{tenant}"


class Clock:
    """Phase times: connect, execute, fetch (a client that does two at once reports them as one)."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = now - self.last
        self.last = now


def floor(job: dict, clock: Clock, kind: str) -> int:
    """The cheapest complete fetch: raw requests, the password login and the a360 exchange, then,
    knowing the result's size in advance (an oracle no client has), either one ADAPTIVE V3 call
    asking for the documented maximum inline (20 MB), or an ASYNC query, one status wait and its
    chunks ``workers`` at once. The DataFrame is made with cdpdb's dtypes (the same frame)."""
    import requests

    http = requests.Session()
    http.verify, http.trust_env = job["ca"], False
    token, base = raw_login(http, job["login_url"], job["credentials"])
    headers = {"Authorization": f"Bearer {token}", "Accept": wire.ARROW_MEDIA_TYPE}
    clock.lap("connect")
    query = f"{base}{wire.V3_QUERY_PATH}"
    if job["rows"] * ROW_BYTES <= wire.V3_BYTE_LIMIT:  # it fits inline: one call
        body = {"sql": job["hyper_sql"], "transferMode": "ADAPTIVE", "resultRange": {"byteLimit": wire.V3_BYTE_LIMIT}}
        answer = http.post(query, json=body, headers=headers)
        table = pa.ipc.open_stream(answer.content).read_all()
        assert table.num_rows == job["rows"], "the inline page was not the whole result"
    else:  # it does not: no inline rows to throw away, every row in a chunk
        answer = http.post(query, json={"sql": job["hyper_sql"], "transferMode": "ASYNC"}, headers=headers)
        query = f"{query}/{json.loads(answer.headers[wire.STATUS_HEADER])['queryId']}"
        status = http.get(query, params={"waitTimeMs": 10000}, headers=headers).json()

        def chunk(n: int) -> pa.Table:
            return pa.ipc.open_stream(http.get(f"{query}/chunks/{n}", headers=headers).content).read_all()

        with ThreadPoolExecutor(job["options"]["workers"]) as pool:
            table = pa.concat_tables(pool.map(chunk, range(status["chunkCount"])))
    clock.lap("execute")
    return len(to_pandas(table))


def cdpdb_client(job: dict, clock: Clock, kind: str) -> int:
    import cdpdb

    c, options = job["credentials"], dict(job["options"])
    conn = cdpdb.connect(
        login_url=job["login_url"],
        **{k: c[k] for k in ("username", "password", "client_id", "client_secret")},
        ca_bundle=job["ca"],
        **options,
    )
    clock.lap("connect")
    cur = conn.cursor()
    api = options["api"]
    cur.execute(job["legacy_sql"] if api in ("v1", "v2") else job["hyper_sql"], **job.get("execute", {}))
    clock.lap("execute")
    if kind == "cdpdb-batches":
        rows, baseline, peak, batch_mb = 0, None, 0.0, 0.0
        for batch in cur.fetch_arrow_batches():
            rows += batch.num_rows
            batch_mb = max(batch_mb, batch.nbytes / 2**20 * (100_000 / max(batch.num_rows, 1)))  # per chunk
            now = current_rss_mb()
            baseline = now if baseline is None else baseline
            peak = max(peak, now)
        print(json.dumps({"rows": rows, "baseline_mb": baseline, "peak_mb": peak, "batch_mb": batch_mb}))
        sys.exit(0)
    rows = len(cur.fetchall()) if kind == "cdpdb-rows" else len(cur.fetch_pandas_all())
    clock.lap("fetch")
    conn.close()  # waits for a background revoke still running: part of the client's cost
    return rows


def cdp_connector(job: dict, clock: Clock, kind: str) -> int:
    from salesforcecdpconnector.connection import SalesforceCDPConnection

    c = job["credentials"]
    conn = SalesforceCDPConnection(job["login_url"], c["username"], c["password"], c["client_id"], c["client_secret"])
    clock.lap("connect")  # it logs in at the first query
    if kind == "cdp-df":
        rows = len(conn.get_pandas_dataframe(job["legacy_sql"]))
    else:
        cur = conn.cursor()
        cur.execute(job["legacy_sql"])
        rows = len(cur.fetchall())
    clock.lap("execute")  # the connector queries and fetches in one call
    return rows


def datacloud_connector(job: dict, clock: Clock, kind: str) -> int:
    import salesforce_datacloud_connector as sfdc

    c = job["credentials"]
    conn = sfdc.connect(
        login_url=job["login_url"],
        auth_type="username_password",
        **{k: c[k] for k in ("username", "password", "client_id", "client_secret")},
    )
    clock.lap("connect")
    cur = conn.cursor()
    cur.execute(job["hyper_sql"])
    clock.lap("execute")
    rows = len(cur.fetch_df()) if kind == "datacloud-df" else len(cur.fetchall())
    clock.lap("fetch")
    return rows


CLIENTS = {"floor": floor, "cdpdb": cdpdb_client, "cdp": cdp_connector, "datacloud": datacloud_connector}
PACKAGES = {
    "floor": ("requests",),
    "cdpdb": (  # the backend and the protocols connect() loads on first use
        "cdpdb.backends.salesforce.session",
        *(f"cdpdb.backends.salesforce.query.{api}" for api in ("v1", "v2", "v3", "connect")),
    ),
    "cdp": ("salesforcecdpconnector.connection",),
    "datacloud": ("salesforce_datacloud_connector",),
}


def main() -> None:
    job = json.loads(sys.argv[1])
    kind = job["kind"]
    family = kind.split("-")[0]
    for package in PACKAGES[family]:  # before the clock
        importlib.import_module(package)
    clock = Clock()
    rows = CLIENTS[family](job, clock, kind)
    seconds = time.perf_counter() - clock.started
    print(json.dumps({"seconds": seconds, "phases": clock.phases, "rows": rows, "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    main()
