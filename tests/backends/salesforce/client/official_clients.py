"""Runs Salesforce's own Python connectors, unmodified, against a local Data Cloud.

Run as a subprocess (``python official_clients.py '<json job>'``): the old connector patches
``requests``/``urllib3`` process-wide on import, which must not leak into the test process.
Prints one JSON document with what the connector returned.
"""

from __future__ import annotations

import json
import sys
import warnings

warnings.filterwarnings("ignore")


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def cdp_connector(job: dict) -> dict:
    from salesforcecdpconnector.connection import SalesforceCDPConnection

    creds, flow = job["credentials"], job["flow"]
    kwargs = {"login_url": job["login_url"], "client_id": creds["client_id"], "dataspace": job.get("dataspace")}
    if flow == "password":
        kwargs.update(username=creds["username"], password=creds["password"], client_secret=creds["client_secret"])
    elif flow == "jwt":
        kwargs.update(username=creds["username"], private_key=creds["private_key_pem"])
    elif flow == "refresh_token":
        kwargs.update(refresh_token=creds["refresh_token"], client_secret=creds["client_secret"])
    elif flow == "client_credentials":
        kwargs.update(client_secret=creds["client_secret"])
    conn = SalesforceCDPConnection(**kwargs)
    out: dict = {}
    cursor = conn.cursor()
    cursor.execute(job["sql"])
    out["description"] = [list(d) for d in cursor.description]
    out["rows"] = [[_plain(v) for v in row] for row in cursor.fetchall()]
    if job.get("pandas"):
        frame = conn.get_pandas_dataframe(job["sql"])
        out["pandas_rows"] = len(frame)
        out["pandas_columns"] = list(frame.columns)
        out["pandas_first"] = [_plain(v) for v in frame.iloc[0].tolist()]
        out["pandas_dtypes"] = [str(t) for t in frame.dtypes]
    if job.get("tables"):
        tables = conn.list_tables()
        out["tables"] = sorted(t.name for t in tables)
        one = conn.list_tables(table_name="ssot__SalesOrder__dlm")[0]
        out["order_fields"] = [f.name for f in one.fields]
        out["order_keys"] = [k.name for k in one.primary_keys]
    conn.close()
    return out


def datacloud_connector(job: dict) -> dict:
    import salesforce_datacloud_connector as sfdc

    creds, flow = job["credentials"], job["flow"]
    kwargs = {"login_url": job["login_url"], "client_id": creds["client_id"], "dataspace": job.get("dataspace")}
    if flow == "password":
        kwargs.update(
            auth_type="username_password",
            username=creds["username"],
            password=creds["password"],
            client_secret=creds["client_secret"],
        )
    elif flow == "jwt":
        kwargs.update(auth_type="jwt", username=creds["username"], jwt_private_key=creds["private_key_pem"])
    elif flow == "refresh_token":
        kwargs.update(
            auth_type="refresh_token", refresh_token=creds["refresh_token"], client_secret=creds["client_secret"]
        )
    conn = sfdc.connect(**kwargs)
    out: dict = {}
    cursor = conn.cursor()
    cursor.execute(job["sql"], job.get("params"))
    out["description"] = [[d[0], sorted(d[1].values), *d[2:]] for d in cursor.description]
    out["rows"] = [[_plain(v) for v in row] for row in cursor.fetchall()]
    if job.get("pandas"):
        cursor.execute(job["sql"], job.get("params"))
        frame = cursor.fetch_df()
        out["pandas_rows"] = len(frame)
        out["pandas_columns"] = list(frame.columns)
    if job.get("tables"):
        tables = conn.list_tables()
        out["tables"] = sorted(t.name for t in tables)
    conn.close()
    return out


if __name__ == "__main__":
    job = json.loads(sys.argv[1])
    result = {"cdp": cdp_connector, "datacloud": datacloud_connector}[job["client"]](job)
    json.dump(result, sys.stdout)
