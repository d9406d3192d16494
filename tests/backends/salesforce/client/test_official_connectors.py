"""Salesforce's own connectors run unmodified against the local Data Cloud, in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cdpdb.local import Limits, serve

SCRIPT = Path(__file__).with_name("official_clients.py")
ENGAGEMENT = "ssot__EmailEngagement__dlm"
SQL_V2 = (
    f"SELECT ssot__Id__c, ssot__RevenueAttributed__c, ssot__EngagementDateTm__c, ssot__SendLatencyMs__c "
    f"FROM {ENGAGEMENT} ORDER BY ssot__Id__c"
)
SQL_HYPER = (
    f'SELECT "ssot__Id__c", "ssot__RevenueAttributed__c", "ssot__EngagementDateTm__c", '
    f'"ssot__SendLatencyMs__c" FROM "{ENGAGEMENT}" ORDER BY "ssot__Id__c"'
)


@pytest.fixture(scope="module")
def big():
    """Tens of thousands of rows, small pages: several V2 batches and Connect pages per query."""
    limits = Limits(v2_batch_bytes=1_000_000, connect_page_bytes=1_000_000)
    with serve(scale=6000, seed=3, limits=limits) as cloud:
        yield cloud


def run(cloud, client: str, flow: str, sql: str, **extra) -> dict:
    job = {
        "client": client,
        "flow": flow,
        "sql": sql,
        "login_url": cloud.login_url,
        "credentials": asdict(cloud.credentials),
        **extra,
    }
    done = subprocess.run([sys.executable, str(SCRIPT), json.dumps(job)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def expected_rows(cloud, sql: str = SQL_HYPER) -> list:
    return cloud.engine.query_arrow("default", sql).to_pylist()


@pytest.mark.parametrize("flow", ["password", "jwt", "refresh_token", "client_credentials"])
def test_cdp_connector_auth_flows(big, flow):
    out = run(big, "cdp", flow, "SELECT COUNT(*) AS n FROM ssot__Individual__dlm")
    assert out["rows"] == [[6000]]
    assert out["description"][0][:2] == ["n", "BIGINT"]


def test_cdp_connector_reads_many_batches_exactly(big):
    requests_before = len(big.backend.results._batches)
    out = run(big, "cdp", "password", SQL_V2, pandas=True)
    expected = expected_rows(big)
    assert len(out["rows"]) == len(expected) == 30_000
    assert len(big.backend.results._batches) == requests_before  # every batch id issued was consumed
    assert [r[0] for r in out["rows"]] == [e["ssot__Id__c"] for e in expected]
    for got, want in zip(out["rows"], expected, strict=True):
        revenue = want["ssot__RevenueAttributed__c"]
        assert got[1] == (None if revenue is None else float(revenue))  # the connector turns DECIMAL into float
        stamp = want["ssot__EngagementDateTm__c"]
        assert (None if got[2] is None else datetime.fromisoformat(got[2])) == stamp
        assert got[3] == (None if want["ssot__SendLatencyMs__c"] is None else str(want["ssot__SendLatencyMs__c"]))
    assert [d[1] for d in out["description"]] == ["VARCHAR", "DECIMAL", "TIMESTAMP WITH TIME ZONE", "BIGINT"]
    assert out["pandas_rows"] == 30_000
    assert out["pandas_columns"] == [d[0] for d in out["description"]]
    assert out["pandas_first"][0] == expected[0]["ssot__Id__c"]


def test_cdp_connector_lists_tables_from_the_metadata_api(big):
    out = run(big, "cdp", "password", "SELECT 1", tables=True)
    assert "ssot__Individual__dlm" in out["tables"] and "Customer_Lifetime_Value__cio" in out["tables"]
    assert out["order_keys"] == ["ssot__Id__c"]
    assert out["order_fields"][:2] == ["ssot__Id__c", "ssot__SoldToCustomerId__c"]


def test_cdp_connector_dataspace(big):
    out = run(big, "cdp", "password", "SELECT COUNT(*) FROM ssot__SalesOrder__dlm", dataspace="default")
    assert out["rows"] == [[18_000]]


@pytest.mark.parametrize("flow", ["password", "jwt", "refresh_token"])
def test_datacloud_connector_auth_flows(big, flow):
    out = run(big, "datacloud", flow, 'SELECT COUNT(*) AS n FROM "ssot__Individual__dlm"')
    assert out["rows"] == [[6000]]


def test_datacloud_connector_reads_many_pages_exactly(big):
    out = run(big, "datacloud", "password", SQL_HYPER, pandas=True)
    expected = expected_rows(big)
    assert len(out["rows"]) == len(expected) == 30_000
    assert [r[0] for r in out["rows"]] == [e["ssot__Id__c"] for e in expected]
    for got, want in zip(out["rows"][:2000], expected[:2000], strict=True):
        revenue = want["ssot__RevenueAttributed__c"]
        assert (got[1] is None) == (revenue is None)
        if revenue is not None:
            assert Decimal(str(got[1])) == revenue
        assert got[3] == want["ssot__SendLatencyMs__c"]
    wire_types = ["Varchar", "Numeric", "TimestampTZ", "BigInt"]
    assert all(wire.upper() in d[1] for wire, d in zip(wire_types, out["description"], strict=True))
    assert out["description"][1][4:] == [18, 2, True]  # precision, scale, null_ok from the server
    assert out["pandas_rows"] == 30_000


def test_datacloud_connector_named_parameters(big):
    sql = 'SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" WHERE "ssot__CountryId__c" = :country ORDER BY 1'
    out = run(big, "datacloud", "password", sql, params={"country": "DE"})
    expected = big.engine.query_arrow("default", sql.replace(":country", "'DE'")).column(0).to_pylist()
    assert [r[0] for r in out["rows"]] == expected and expected


def test_datacloud_connector_lists_tables_through_pg_catalog(big):
    out = run(big, "datacloud", "password", "SELECT 1", tables=True)
    assert "ssot__SalesOrder__dlm" in out["tables"] and "UnifiedIndividual__dlm" in out["tables"]
