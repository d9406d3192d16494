"""The command line, run in-process with click's runner against embedded local Data Clouds (``--local``)
and the session's local Data Cloud logged in to like an org."""

from __future__ import annotations

import json
import os
import socket

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import cdpdb
from cdpdb.cli import main
from cdpdb.local import Fault
from tests.conftest import V3_READS


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


# -- issue #10 items 16-18 and issue #11: files, errors, logins ----------------------------------------------

FIRST_IDS = 'SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" ORDER BY 1 LIMIT 3'
EVENTS = 'SELECT * FROM "ssot__EmailEngagement__dlm"'


def fail(*args: str, env: dict | None = None):
    """Run the command line expecting a clean failure: exit 1 through click, one line, no traceback."""
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an uncaught exception
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def org_env(cloud, **variables: str) -> dict:
    """Environment for logging in to the session's local Data Cloud like an org: no CDPDB_* variable
    from the machine, the CA through CDPDB_CA_BUNDLE, secrets through CDPDB_* variables."""
    env = {name: None for name in os.environ if name.startswith("CDPDB_")}
    return {**env, "CDPDB_CA_BUNDLE": cloud.ca_path, **variables}


def password_login(cloud) -> tuple[list[str], dict]:
    creds = cloud.credentials
    args = ["--login-url", cloud.login_url, "--username", creds.username, "--client-id", creds.client_id]
    return args, org_env(cloud, CDPDB_PASSWORD=creds.password, CDPDB_CLIENT_SECRET=creds.client_secret)


def test_query_table_goes_to_the_output_file(tmp_path):
    target = tmp_path / "ids.txt"
    result = run("query", "--local", "--scale", "100", "--max-rows", "2", "-o", str(target), FIRST_IDS)
    text = target.read_text()
    assert "ssot__Id__c" in text and "IND000000002" in text and "IND000000003" not in text
    assert "IND000000001" not in result.stdout  # the table went to the file, not to stdout
    assert "only the first 2 rows were written" in result.stderr


def test_query_output_replaces_an_existing_file(tmp_path):
    target = tmp_path / "ids.jsonl"
    target.write_text('{"old": "row"}\n')
    run("query", "--local", "--scale", "100", "--format", "jsonl", "-o", str(target), FIRST_IDS)
    run("query", "--local", "--scale", "100", "--format", "jsonl", "-o", str(target), FIRST_IDS)
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [row["ssot__Id__c"] for row in rows] == ["IND000000001", "IND000000002", "IND000000003"]
    assert list(tmp_path.iterdir()) == [target]


def test_export_unknown_suffix_lists_the_formats(tmp_path):
    target = tmp_path / "out.xlsx"
    line = fail("export", "--local", "--scale", "10", "SELECT 1 AS a", str(target))
    assert ".parquet" in line and ".csv" in line and ".jsonl" in line and "--format" in line
    assert not target.exists()
    run("export", "--local", "--scale", "10", "--format", "csv", "SELECT 1 AS a", str(target))
    assert target.read_text().splitlines() == ['"a"', "1"]


@pytest.mark.parametrize("previous", [None, b"the previous export"], ids=["new", "existing"])
def test_failed_export_leaves_no_partial_file(cloud, tmp_path, previous):
    """The connection breaks after the first of five chunks: the old code left a Parquet file of
    1,000 rows (a valid file: its footer was written on the way out) that read as the whole result."""
    target = tmp_path / "events.parquet"
    if previous is not None:
        target.write_bytes(previous)
    args, env = password_login(cloud)
    env.update(CDPDB_MAX_RETRIES="0", CDPDB_MAX_WORKERS="1")  # the first failed chunk ends the export
    broken = Fault(kind="reset", count=-1, skip=1, path=V3_READS)
    with cloud.faults.inject(broken, v3_chunk_rows=1000, page_rows=1000):
        result = CliRunner().invoke(main, ["export", "--no-progress", *args, EVENTS, str(target)], env=env)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert broken.skip == 0  # the first chunk was served: the export did fail mid-result
    if previous is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == previous
    assert [p.name for p in tmp_path.iterdir()] == ([] if previous is None else [target.name])


def test_missing_output_folder_is_one_clear_line(tmp_path):
    folder = tmp_path / "no" / "such"
    for args in (
        ["query", "--local", "--scale", "10", "--format", "csv", "-o", str(folder / "a.csv"), "SELECT 1"],
        ["export", "--local", "--scale", "10", "SELECT 1", str(folder / "a.parquet")],
    ):
        line = fail(*args)
        assert str(folder) in line and "does not exist" in line and "mkdir -p" in line


@pytest.mark.parametrize("option", ["--port", "--tenant-port"])
def test_busy_port_is_one_clear_line(option):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = fail("serve", "--scale", "10", option, str(port))
    assert f"port {port}" in line and "in use" in line and f"choose another {option}" in line


def test_version_and_examples_in_help():
    assert run("--version").output.strip() == f"cdpdb {cdpdb.__version__}"
    assert "Examples" in run("--help").output and "CDPDB_REFRESH_TOKEN" in run("--help").output
    for command in ("query", "export", "serve"):
        assert f"cdpdb {command} " in run(command, "--help").output


def test_refresh_token_login_with_ca_bundle(cloud):
    creds = cloud.credentials
    env = org_env(cloud, CDPDB_REFRESH_TOKEN=creds.refresh_token)
    del env["CDPDB_CA_BUNDLE"]  # given as an option here
    args = ["--login-url", cloud.login_url, "--client-id", creds.client_id, "--ca-bundle", cloud.ca_path]
    result = CliRunner().invoke(main, ["query", *args, "--format", "csv", "SELECT 41 + 1 AS answer"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ['"answer"', "42"]
    assert creds.refresh_token not in result.output


def test_token_login_with_tenant_url(cloud, api):
    token = api.dc_token()
    env = org_env(cloud, CDPDB_TOKEN=token)
    del env["CDPDB_CA_BUNDLE"]
    args = ["--tenant-url", cloud.tenant_url, "--ca-bundle", cloud.ca_path, "--auth", "token"]
    result = CliRunner().invoke(main, ["query", *args, "--format", "csv", "SELECT 41 + 1 AS answer"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ['"answer"', "42"]
    assert token not in result.output


def test_query_output_format_follows_the_suffix(tmp_path):
    run("query", "--local", "--scale", "100", "-o", str(tmp_path / "ids.parquet"), FIRST_IDS)
    assert pq.read_table(tmp_path / "ids.parquet").column(0).to_pylist() == [
        "IND000000001",
        "IND000000002",
        "IND000000003",
    ]
    run("query", "--local", "--scale", "100", "-o", str(tmp_path / "ids.csv"), FIRST_IDS)
    assert pacsv.read_csv(tmp_path / "ids.csv").num_rows == 3
