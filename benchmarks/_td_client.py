"""One Treasure Data benchmark client, run in its own process by treasuredata.py; prints seconds,
rows and peak RSS as one JSON line. Time runs from connect to the finished DataFrame, imports
excluded."""

from __future__ import annotations

import json
import sys
import time

from _bench import CDPDB_LAZY, TRINO_LAZY, cpu_seconds, peak_rss_mb, preimport

PROFILES = "profiles_{audience}"


def measured(started: float, cpu: float, rows: int) -> dict:
    return {"seconds": time.perf_counter() - started, "cpu_seconds": cpu_seconds() - cpu, "rows": rows}


def cdpdb_frame(job: dict) -> dict:
    import pandas  # noqa: F401  (imports are not timed)

    import cdpdb
    import cdpdb.backends.treasuredata.session

    started, cpu = time.perf_counter(), cpu_seconds()
    where = f" WHERE {job['where_sql']}" if job.get("where_sql") else ""
    with cdpdb.connect(backend="treasuredata", **job["connect_args"]) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT * FROM {PROFILES.format(audience=job['audience'])}{where}")
        rows = len(cur.fetch_pandas_all())
    return measured(started, cpu, rows)


def floor_frame(job: dict) -> dict:
    """The cheapest complete fetch of the same pages: submit, poll every 50 ms (the client's first
    pause), read /customers pages from 1 until ``end``; orjson for the JSON, one pyarrow array per
    column of each page, one concatenation, one ``to_pandas`` with the same dtypes as cdpdb's. No
    checks (no count comparison, no error handling beyond raise_for_status)."""
    import orjson
    import pandas as pd
    import pyarrow as pa
    import requests

    from cdpdb.backends.treasuredata import wire

    args = job["connect_args"]
    http = requests.Session()
    http.verify = args[wire.SETTING_CA_BUNDLE]
    http.trust_env = False
    http.headers.update({wire.AUTH_HEADER: f"{wire.AUTH_SCHEME} {args[wire.SETTING_APIKEY]}"})
    base, audience = args[wire.SETTING_SITE_URL], job["audience"]

    def get(path: str, **params: object) -> dict:
        answer = http.get(base + path, params=params or None)
        answer.raise_for_status()
        return orjson.loads(answer.content)

    time_type = pa.timestamp("us")
    utc = pa.timestamp("us", tz="UTC")
    arrow = {
        "string": pa.string(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "string_array": pa.list_(pa.string()),
        "number_array": pa.list_(pa.float64()),
    }

    def column(values: tuple, td_type: str) -> pa.Array:
        if td_type == "timestamp":  # "YYYY-MM-DD HH:MM:SS.fff", UTC
            return pa.array(values, pa.string()).cast(time_type).cast(utc)
        if td_type == "date":
            return pa.array(values, pa.string()).cast(pa.date32())
        return pa.array(values, arrow.get(td_type, pa.string()))

    started, cpu = time.perf_counter(), cpu_seconds()
    types = {a["name"]: a["type"] for a in get(wire.ATTRIBUTES.format(audience_id=audience))}
    body: dict = {
        "columns": [wire.PROFILE_KEY, *types],
        "kind": wire.KIND_BATCH,
        "pageSize": wire.MAX_PAGE_SIZE,
    }
    if job.get("where_rule"):
        body["rule"] = job["where_rule"]
    submitted = http.post(base + wire.SEGMENT_QUERIES.format(audience_id=audience), data=orjson.dumps(body))
    submitted.raise_for_status()
    query = orjson.loads(submitted.content)["id"]
    path = wire.SEGMENT_QUERY.format(audience_id=audience, query_id=query)
    while get(path)["status"] == wire.QUERY_RUNNING:
        time.sleep(0.05)
    batches, page = [], wire.FIRST_PAGE
    while True:
        answer = get(path + "/customers", page=page)
        if answer["type"] != wire.PAGE_ROWS:
            break
        names = answer["names"]
        columns = zip(*answer["rows"], strict=True)
        arrays = [column(values, types.get(n, "string")) for n, values in zip(names, columns, strict=True)]
        batches.append(pa.RecordBatch.from_arrays(arrays, names=names))
        page += 1
    table = pa.Table.from_batches(batches)

    def dtype(kind: pa.DataType) -> object:
        if pa.types.is_boolean(kind):
            return pd.BooleanDtype()
        if pa.types.is_floating(kind):
            return pd.Float64Dtype()
        if pa.types.is_string(kind):
            return pd.StringDtype("pyarrow")
        if pa.types.is_date(kind):
            return pd.ArrowDtype(kind)
        return None

    frame = table.to_pandas(types_mapper=dtype, coerce_temporal_nanoseconds=False)
    return measured(started, cpu, len(frame))


def floor_trino_frame(job: dict) -> dict:
    """The cheapest complete fetch over the Trino endpoint: the SQL of the rule (/segments/query),
    POST /v1/statement, every ``nextUri`` until the last; orjson, one pyarrow array per column of
    each page, the same DataFrame dtypes as cdpdb's. No checks, no trino package."""
    import orjson
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import requests

    from cdpdb.backends.treasuredata import wire

    args = job["connect_args"]
    http = requests.Session()
    http.verify = args[wire.SETTING_CA_BUNDLE]
    http.trust_env = False
    base, audience, key = args[wire.SETTING_SITE_URL], job["audience"], args[wire.SETTING_APIKEY]
    utc = pa.timestamp("us", tz="UTC")
    simple = {"varchar": pa.string(), "double": pa.float64(), "boolean": pa.bool_(), "bigint": pa.float64()}
    simple["integer"] = pa.float64()

    def column(values: tuple, trino_type: str) -> pa.Array:
        if trino_type.startswith("timestamp"):  # "YYYY-MM-DD HH:MM:SS.fff UTC"
            text = pc.utf8_slice_codeunits(pa.array(values, pa.string()), 0, 23)
            return text.cast(pa.timestamp("us")).cast(utc)
        if trino_type == "date":
            return pa.array(values, pa.string()).cast(pa.date32())
        if trino_type.startswith("array("):
            return pa.array(values, pa.list_(simple.get(trino_type[6:-1], pa.string())))
        return pa.array(values, simple.get(trino_type, pa.string()))

    started, cpu = time.perf_counter(), cpu_seconds()
    body = {"format": "sql", **({"rule": job["where_rule"]} if job.get("where_rule") else {})}
    sql_answer = http.post(
        base + wire.SEGMENT_SQL.format(audience_id=audience),
        data=orjson.dumps(body),
        headers={wire.AUTH_HEADER: f"{wire.AUTH_SCHEME} {key}"},
    )
    sql_answer.raise_for_status()
    headers = {"X-Trino-User": key, "X-Trino-Catalog": wire.TRINO_CATALOG}
    answer = http.post(base + "/v1/statement", data=orjson.loads(sql_answer.content)["sql"], headers=headers)
    answer.raise_for_status()
    page = orjson.loads(answer.content)
    batches = []
    while True:
        if page.get("data"):
            names = [c["name"] for c in page["columns"]]
            kinds = [c["type"] for c in page["columns"]]
            columns = zip(*page["data"], strict=True)
            arrays = [column(values, kind) for values, kind in zip(columns, kinds, strict=True)]
            batches.append(pa.RecordBatch.from_arrays(arrays, names=names))
        if not page.get("nextUri"):
            break
        answer = http.get(page["nextUri"], headers=headers)
        answer.raise_for_status()
        page = orjson.loads(answer.content)
    table = pa.Table.from_batches(batches)

    def dtype(kind: pa.DataType) -> object:
        if pa.types.is_boolean(kind):
            return pd.BooleanDtype()
        if pa.types.is_floating(kind):
            return pd.Float64Dtype()
        if pa.types.is_string(kind):
            return pd.StringDtype("pyarrow")
        if pa.types.is_date(kind):
            return pd.ArrowDtype(kind)
        return None

    frame = table.to_pandas(types_mapper=dtype, coerce_temporal_nanoseconds=False)
    return measured(started, cpu, len(frame))


CLIENTS = {"floor": floor_frame, "floor_trino": floor_trino_frame}


def main() -> None:
    job = json.loads(sys.argv[1])
    client = CLIENTS.get(job["kind"], cdpdb_frame)
    if client is cdpdb_frame:
        preimport(*CDPDB_LAZY, *(TRINO_LAZY if job.get("trino") else ()))
    else:
        preimport("pyarrow.pandas_compat")  # the floors' to_pandas
    print(json.dumps({**client(job), "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    main()
