"""JSON pages (V1, V2 without Arrow, Connect) over HTTP from a local Data Cloud: the same table
and the same Python rows as V3's Arrow chunks, value for value and type for type — escaped and
unicode text, decimals with 38 digits, huge and negative integers, doubles, booleans, dates,
timestamps with a time zone, nulls in every column — over many pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

import cdpdb
from cdpdb.local import Limits, serve

UTC = dt.timezone.utc
ROWS = 2_000
TEXTS = ['say "hi"', "back\\slash\\", "tab\tnew\nline\x01", "é 測試 😀 \u2028", "],[", "", "null", "1e2"]


def _table() -> pa.Table:
    n = range(ROWS)
    return pa.table(
        {
            "Id__c": pa.array(n, pa.int64()),
            "Text__c": pa.array([None if i % 9 == 0 else f"{TEXTS[i % len(TEXTS)]}#{i}" for i in n]),
            "Amount__c": pa.array(
                [None if i % 7 == 0 else Decimal(f"{i}.{i:010d}") * (-1 if i % 2 else 1) for i in n],
                pa.decimal128(38, 10),
            ),
            "Wide__c": pa.array(
                [None if i % 5 == 0 else Decimal("9" * 37 + "." + str(i % 10)) for i in n], pa.decimal128(38, 1)
            ),
            "Count__c": pa.array(
                [None if i % 6 == 0 else (2**63 - 1 - i if i % 2 else -(2**63) + i) for i in n], pa.int64()
            ),
            "Ratio__c": pa.array([None if i % 4 == 0 else (i / 7 if i % 3 else -0.0) for i in n], pa.float64()),
            "Flag__c": pa.array([None if i % 3 == 0 else i % 2 == 0 for i in n]),
            "Day__c": pa.array([None if i % 8 == 0 else dt.date(1 + i, 1 + i % 12, 1 + i % 28) for i in n]),
            "Stamp__c": pa.array(
                [
                    None
                    if i % 10 == 0
                    else dt.datetime(2024, 1, 1, 12, 0, tzinfo=UTC) + dt.timedelta(seconds=i * 7.001)
                    for i in n
                ],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )


@pytest.fixture(scope="module")
def private_cloud():
    """A Data Cloud of its own: pages of at most 300 rows, so a result is many pages."""
    with serve(dataset=False, limits=Limits(v2_batch_rows=300, page_rows=300)) as cloud:
        cloud.load("JsonPages__dll", _table())
        yield cloud


SQL = 'SELECT * FROM "JsonPages__dll" ORDER BY "Id__c"'
JSON_PATHS = [{"api": "v2", "arrow": False}, {"api": "connect"}, {"api": "v1", "arrow": False}]


def _read(cloud, **options) -> tuple[pa.Table, list[tuple], list]:
    with cdpdb.connect(**cloud.connect_args(**options)) as conn:
        cur = conn.cursor()
        cur.execute(SQL, **({"orderby": "Id__c"} if options["api"] == "v1" else {}))
        table = cur.fetch_arrow_table()
        cur.execute(SQL, **({"orderby": "Id__c"} if options["api"] == "v1" else {}))
        return table, cur.fetchall(), [d[:2] for d in cur.description]


@pytest.fixture(scope="module")
def reference(private_cloud):
    return _read(private_cloud, api="v3")


@pytest.mark.parametrize("options", JSON_PATHS, ids=lambda o: o["api"])
def test_json_pages_give_the_arrow_result_exactly(private_cloud, reference, options):
    table, rows, _ = _read(private_cloud, **options)
    expected, expected_rows, _ = reference
    assert table.num_rows == ROWS
    for name in expected.column_names:
        got, want = table.column(name), expected.column(name)
        if pa.types.is_decimal(want.type) and options["api"] in ("v2", "v1"):
            # V1/V2 metadata says only DECIMAL: the scale comes from the values, the values stay exact
            got = got.cast(want.type)
        assert got.type == want.type, name
        assert got.equals(want), name
    for got, want in zip(rows, expected_rows, strict=True):
        assert got == want
        assert [type(v) for v in got] == [type(v) for v in want]


def test_every_edge_value_arrives_as_sent(private_cloud):
    _, rows, _ = _read(private_cloud, api="v2", arrow=False)
    sent = _table().to_pylist()
    for row, original in zip(rows, sent, strict=True):
        assert list(row) == list(original.values())  # Decimal equality ignores the scale V2 picked
    texts = [r[1] for r in rows if r[1] is not None]
    assert any('"' in t for t in texts) and any("\\" in t for t in texts) and any("😀" in t for t in texts)


def test_an_aggregate_decimal_sent_as_a_json_number_keeps_every_digit(private_cloud):
    """V1/V2 send aggregates as JSON numbers: 38 digits must not pass through a double."""
    sql = 'SELECT MAX("Wide__c") AS m, SUM("Amount__c") AS s FROM "JsonPages__dll"'
    with cdpdb.connect(**private_cloud.connect_args(api="v3")) as conn:
        want = conn.cursor().execute(sql).fetchone()
    for options in ({"api": "v2", "arrow": False}, {"api": "v1", "arrow": False}):
        with cdpdb.connect(**private_cloud.connect_args(**options)) as conn:
            got = conn.cursor().execute(sql).fetchone()
        assert got == want and str(got[0]) == "9" * 37 + ".9", options
