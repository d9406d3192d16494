"""The command line, run in-process with click's runner against embedded local Data Clouds."""

from __future__ import annotations

import json

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from click.testing import CliRunner

from cdpdb.cli import main


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_demo_prints_a_table():
    out = run("demo", "--scale", "300").output
    assert "country" in out and "revenue" in out and "(10 rows)" in out


def test_query_table_says_when_rows_are_not_shown():
    out = run(
        "query",
        "--local",
        "--scale",
        "100",
        "--max-rows",
        "2",
        'SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" ORDER BY 1',
    ).output
    assert "IND000000001" in out and "IND000000003" not in out
    assert "only the first 2 rows" in out


def test_query_jsonl_and_csv():
    out = run(
        "query",
        "--local",
        "--scale",
        "100",
        "--format",
        "jsonl",
        'SELECT "ssot__Id__c", "ssot__AnnualIncome__c" FROM "ssot__Individual__dlm" ORDER BY 1',
    ).output
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 100 and rows[0]["ssot__Id__c"] == "IND000000001"
    csv_out = run("query", "--local", "--scale", "100", "--format", "csv", "SELECT 1 AS a, 2 AS b").output
    assert csv_out.splitlines() == ['"a","b"', "1,2"]


def test_export_parquet_and_csv(tmp_path):
    sql = 'SELECT * FROM "ssot__EmailEngagement__dlm"'
    target = tmp_path / "events.parquet"
    run("export", "--local", "--scale", "2000", sql, str(target))
    table = pq.read_table(target)
    assert table.num_rows == 10_000 and table.num_columns == 10
    csv_target = tmp_path / "events.csv"
    run("export", "--local", "--scale", "200", sql, str(csv_target))
    assert pacsv.read_csv(csv_target).num_rows == 1000


def test_query_errors_are_clean(monkeypatch):
    monkeypatch.delenv("CDPDB_PASSWORD", raising=False)
    result = CliRunner().invoke(main, ["query", "--username", "u", "--client-id", "c", "SELECT 1"])
    assert result.exit_code != 0
    assert "without password" in result.output
    result = CliRunner().invoke(main, ["query", "--local", "--scale", "10", "SELECT * FROM nowhere"])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output
