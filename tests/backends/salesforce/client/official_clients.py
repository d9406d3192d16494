"""Runs Salesforce's own Python connectors, unmodified, against a local Data Cloud.

Run as a subprocess (``python official_clients.py '<json job>'``): the old connector patches
``requests``/``urllib3`` process-wide on import, which must not leak into the test process.
Prints one JSON document with what the connector returned.

A ``scripts`` job runs user scripts (Python source written against one connector's API) through
either that connector (``impl: official``) or cdpdb's drop-in replacement of it (``impl: compat``),
with exactly the same source: only the names the script imports differ. Every value a script
leaves in ``result`` is printed with its Python type (:func:`tagged`), and an exception it lets
escape is recorded beside what it had stored by then, so the two runs can be compared exactly.
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


def tagged(value):
    """``value`` as JSON that keeps its Python type: {"decimal": "10.54"}, {"datetime": [...]}..."""
    import datetime as dt
    from decimal import Decimal

    if value is None:
        return None
    if isinstance(value, BaseException):
        return {
            "error": {
                "class": type(value).__name__,
                "bases": [c.__name__ for c in type(value).__mro__],
                "message": str(value),
            }
        }
    kind = type(value).__name__
    if type(value).__name__ == "DataFrame":
        return {"frame": _frame(value)}
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, dt.datetime):
        offset = value.utcoffset()
        return {
            "datetime": [value.replace(tzinfo=None).isoformat(), None if offset is None else offset.total_seconds()]
        }
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"time": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return {kind if kind in ("list", "tuple") else "list": [tagged(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": {str(k): tagged(v) for k, v in value.items()}}
    if hasattr(value, "values") and type(value).__name__ == "DBAPITypeObject":
        return {"typeobject": sorted(value.values)}
    return {"repr": repr(value)}


def _frame(frame) -> dict:
    """A DataFrame column by column: its dtype and its values (missing ones as {"missing": ...})."""
    import pandas as pd

    def cell(value):
        if value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
            return {"missing": repr(value)}
        if isinstance(value, pd.Timestamp):
            return tagged(value.to_pydatetime())
        return tagged(value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value)

    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "values": [[cell(v) for v in frame[c].tolist()] for c in frame.columns],
    }


def _script_names(connector: str, impl: str) -> dict:
    """What a script may use: the connector's own names, from the official package or from cdpdb."""
    if connector == "cdp":
        if impl == "official":
            from salesforcecdpconnector import exceptions
            from salesforcecdpconnector.connection import SalesforceCDPConnection
        else:
            import cdpdb.compat.cdp_connector as exceptions
            from cdpdb.compat.cdp_connector import SalesforceCDPConnection
        return {"SalesforceCDPConnection": SalesforceCDPConnection, "Error": exceptions.Error}
    if impl == "official":
        import salesforce_datacloud_connector as sfdc
    else:
        import cdpdb.compat.datacloud_connector as sfdc
    return {"sfdc": sfdc}


def run_scripts(job: dict) -> dict:
    """Each script in a fresh namespace; its ``result`` and any exception it let escape."""
    names = _script_names(job["connector"], job["impl"])
    out = {}
    for name, source in job["scripts"].items():
        namespace = {**names, "ARGS": dict(job["args"]), "result": {}}
        raised = None
        try:
            exec(compile(source, f"<script {name}>", "exec"), namespace)
        except Exception as exc:  # recorded, compared with the other run
            raised = exc
        out[name] = {"result": tagged(namespace["result"]), "raised": tagged(raised)}
    return out


if __name__ == "__main__":
    job = json.loads(sys.argv[1])
    clients = {"cdp": cdp_connector, "datacloud": datacloud_connector, "scripts": run_scripts}
    result = clients[job["client"]](job)
    json.dump(result, sys.stdout)
