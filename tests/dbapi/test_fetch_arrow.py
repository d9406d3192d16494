"""Arrow, pandas and Polars results: exact types, every API, bounded streaming."""

from __future__ import annotations

import decimal

import pandas as pd
import pyarrow as pa
import pytest

from tests.conftest import APIS

ORDERS = 'SELECT * FROM "ssot__SalesOrder__dlm" ORDER BY "ssot__Id__c"'


@pytest.mark.parametrize("api_name", APIS)
@pytest.mark.parametrize("arrow", [True, False])
def test_arrow_table_equals_hyper(api, cloud, connect, api_name, arrow):
    with cloud.faults.inject(v2_batch_rows=700, v3_chunk_rows=900, connect_page_bytes=50_000, page_rows=600):
        cur = connect(api=api_name, arrow=arrow).cursor()
        cur.execute(ORDERS, **({"orderby": "ssot__Id__c"} if api_name == "v1" else {}))
        table = cur.fetch_arrow_table()
    expected = api.hyper(ORDERS)
    assert table.num_rows == 3000
    assert table.to_pylist() == expected.to_pylist()
    types = dict(zip(table.column_names, table.schema.types, strict=True))
    assert types["ssot__OrderStartDate__c"] == pa.timestamp("us", tz="UTC")
    assert types["ssot__OrderDeliveredDate__c"] == pa.date32()
    assert types["ssot__TotalProductQuantity__c"] == pa.int64()
    assert pa.types.is_decimal(types["ssot__GrandTotalAmount__c"])
    assert types["ssot__GrandTotalAmount__c"].scale == 2


def test_arrow_batches_after_some_rows_lose_nothing(api, cloud, connect):
    with cloud.faults.inject(v3_chunk_rows=250, page_rows=100):
        cur = connect().cursor()
        cur.execute(ORDERS)
        head = cur.fetchmany(150)
        batches = list(cur.fetch_arrow_batches())
    ids = [r[0] for r in head] + [v for b in batches for v in b.column(0).to_pylist()]
    assert ids == api.hyper(ORDERS).column(0).to_pylist()
    assert all(isinstance(b, pa.RecordBatch) for b in batches)


@pytest.mark.parametrize("api_name", ["v3", "v2"])
def test_pandas_dtypes_are_exact_and_nullable(connect, api_name):
    cur = connect(api=api_name).cursor()
    cur.execute(ORDERS)
    frame = cur.fetch_pandas_all()
    assert len(frame) == 3000
    assert frame["ssot__TotalProductQuantity__c"].dtype == pd.Int64Dtype()
    assert frame["ssot__TotalProductQuantity__c"].isna().any()  # nulls, and still integers
    assert frame["ssot__IsGift__c"].dtype == pd.BooleanDtype()
    assert frame["ssot__DiscountRate__c"].dtype == pd.Float64Dtype()
    assert str(frame["ssot__OrderStartDate__c"].dtype) == "datetime64[us, UTC]"
    amount = frame["ssot__GrandTotalAmount__c"].dropna().iloc[0]
    assert isinstance(amount, decimal.Decimal)
    assert frame["ssot__SalesOrderStatusId__c"].dtype == pd.StringDtype("pyarrow")


def test_pandas_batches(cloud, connect):
    with cloud.faults.inject(v3_chunk_rows=1000, page_rows=10):
        cur = connect().cursor()
        cur.execute(ORDERS)
        frames = list(cur.fetch_pandas_batches())
    # the 10 rows that came with the query's answer, the rest of chunk 0, then chunk by chunk
    assert [len(f) for f in frames] == [10, 990, 1000, 1000]


def test_polars(connect):
    pl = pytest.importorskip("polars")
    cur = connect().cursor()
    cur.execute(ORDERS)
    frame = cur.fetch_polars()
    assert frame.height == 3000
    assert frame.schema["ssot__TotalProductQuantity__c"] == pl.Int64


def test_empty_result_keeps_its_schema(connect):
    cur = connect().cursor()
    cur.execute('SELECT * FROM "ssot__SalesOrder__dlm" WHERE false')
    table = cur.fetch_arrow_table()
    assert table.num_rows == 0 and table.num_columns == 10


@pytest.mark.parametrize("workers", [1, 4])
def test_parallel_chunks_arrive_in_order(api, cloud, connect, workers):
    sql = 'SELECT "ssot__Id__c" FROM "ssot__EmailEngagement__dlm" ORDER BY 1'
    with cloud.faults.inject(v3_chunk_rows=111, page_rows=5):
        cur = connect(max_workers=workers, prefetch=1).cursor()
        cur.execute(sql)
        assert cur.fetch_arrow_table().column(0).to_pylist() == api.hyper(sql).column(0).to_pylist()


def test_progress_bar(connect, capsys):
    pytest.importorskip("tqdm")
    cur = connect(progress=True).cursor()
    cur.execute(ORDERS)
    assert len(cur.fetchall()) == 3000
    assert "rows" in capsys.readouterr().err
