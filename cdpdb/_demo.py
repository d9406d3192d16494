"""The README's first command: log in to a local Data Cloud and run one query over HTTP.

A deliberately small walk through the real protocol (OAuth password flow, the a360 token
exchange, Query API V3 with an Arrow result), until the DB-API driver takes over this job.
"""

from __future__ import annotations

import time

import pyarrow as pa
import requests

ARROW = "application/vnd.apache.arrow.stream"


def run_demo(cloud, sql: str) -> tuple[pa.Table, float]:
    creds = cloud.credentials
    started = time.perf_counter()
    with requests.Session() as http:
        core = http.post(
            f"{cloud.login_url}/services/oauth2/token",
            timeout=30,
            data={
                "grant_type": "password",
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
                "username": creds.username,
                "password": creds.password,
            },
        )
        core.raise_for_status()
        exchange = http.post(
            f"{core.json()['instance_url']}/services/a360/token",
            timeout=30,
            data={
                "grant_type": "urn:salesforce:grant-type:external:cdp",
                "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
                "subject_token": core.json()["access_token"],
            },
        )
        exchange.raise_for_status()
        tenant = exchange.json()["instance_url"]
        base = tenant if "://" in tenant else f"https://{tenant}"
        answer = http.post(
            f"{base}/api/v3/query",
            json={"sql": sql},
            timeout=60,
            verify=cloud.ca_path or True,
            headers={"Authorization": f"Bearer {exchange.json()['access_token']}", "Accept": ARROW},
        )
        if answer.status_code != 200:
            raise RuntimeError(f"the query failed: {answer.json().get('message')}")
        table = pa.ipc.open_stream(answer.content).read_all()
    return table, time.perf_counter() - started
