"""``cdpdb profile`` and ``cdpdb insight`` against an embedded local Data Cloud: the rows the
typed clients return, in every output format, and usage errors before any connection."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pyarrow.csv as pacsv
from click.testing import CliRunner

import cdpdb
from cdpdb.backends.salesforce.local import serve
from cdpdb.cli import main


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_profile_search_as_csv_matches_sql():
    out = run(
        "profile", "--local", "--scale", "200", "ssot__Individual__dlm", "--filter", "ssot__CountryId__c=DE",
        "--fields", "ssot__Id__c,ssot__BirthDate__c", "--limit", "0", "--orderby", "ssot__Id__c ASC", "--format", "csv",
    )  # fmt: skip
    table = pacsv.read_csv(io.BytesIO(out.encode()))
    with serve(scale=200) as cloud, cdpdb.connect(**cloud.connect_args()) as conn:
        want = (
            conn.cursor()
            .execute('SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" WHERE "ssot__CountryId__c" = \'DE\' ORDER BY 1')
            .fetchall()
        )
    assert table.column("ssot__Id__c").to_pylist() == [r[0] for r in want] and want


def test_profile_children_and_insight_of_one_profile():
    args = ["profile", "--local", "--scale", "200", "ssot__Individual__dlm", "--format", "jsonl"]
    with serve(scale=200) as cloud, cdpdb.connect(**cloud.connect_args()) as conn:
        (person,) = (
            conn.cursor()
            .execute('SELECT c."CustomerId__c" FROM "Customer_Lifetime_Value__cio" c ORDER BY 1 LIMIT 1')
            .fetchone()
        )
        spend = (
            conn.cursor()
            .execute(
                'SELECT SUM("TotalSpend__c") FROM "Customer_Lifetime_Value__cio" WHERE "CustomerId__c" = ?', [person]
            )
            .fetchone()[0]
        )
    rows = [
        json.loads(line) for line in run(*args, "--id", person, "--insight", "Customer_Lifetime_Value__cio").split()
    ]
    assert sum(Decimal(r["TotalSpend__c"]) for r in rows) == spend  # exact: NUMERIC travels as text
    got = run(*args, "--id", person, "--child", "ssot__SalesOrder__dlm", "--fields", "ssot__SoldToCustomerId__c")
    assert {json.loads(line)["ssot__SoldToCustomerId__c"] for line in got.split()} == {person}


def test_insight_at_a_grain():
    out = run(
        "insight", "--local", "--scale", "200", "Email_Engagement_Monthly__cio", "--dimensions", "EngagementMonth__c",
        "--measures", "Opens__c", "--grain", "year", "--limit", "0", "--format", "csv",
    )  # fmt: skip
    months = pacsv.read_csv(io.BytesIO(out.encode())).column("EngagementMonth__c").to_pylist()
    assert months and all(m.month == 1 and m.day == 1 for m in months)


def test_usage_errors_come_before_connecting():
    assert "at least one --filter" in run("profile", "ssot__Individual__dlm", code=2)
    assert "give its --id" in run("profile", "ssot__Individual__dlm", "--child", "X__dlm", code=2)
    assert "Field__c=value" in run("profile", "--local", "--scale", "50", "M__dlm", "--filter", "nofield", code=2)


def test_ingest_a_csv_file_streamed_and_bulk(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("OrderNumber,CustomerEmail,OrderTotal,OrderedAt\nC-1,a@b.c,1.50,2024-01-01T00:00:00Z\n")
    result = CliRunner().invoke(main, ["ingest", "--local", "--scale", "50", str(path), "Ecommerce", "Order"])
    assert result.exit_code == 0 and "streamed 1 rows" in result.output, result.output
    result = CliRunner().invoke(
        main, ["ingest", "--local", "--scale", "50", "--bulk", "--no-progress", str(path), "Ecommerce", "Order"]
    )
    assert result.exit_code == 0 and "JobComplete, 1 rows processed" in result.output, result.output
    path.write_text("OrderNumber,Colour\nC-1,red\n")
    result = CliRunner().invoke(main, ["ingest", "--local", "--scale", "50", str(path), "Ecommerce", "Order"])
    assert result.exit_code == 1 and "Colour are not fields of Ecommerce_Order__dll" in result.output
