"""The ``cdpdb`` command line: run the local Data Cloud, query, export."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click

DEMO_SQL = (
    'SELECT i."ssot__CountryId__c" AS country, COUNT(DISTINCT i."ssot__Id__c") AS customers, '
    'COUNT(o."ssot__Id__c") AS orders, SUM(o."ssot__GrandTotalAmount__c") AS revenue '
    'FROM "ssot__Individual__dlm" i JOIN "ssot__SalesOrder__dlm" o '
    'ON o."ssot__SoldToCustomerId__c" = i."ssot__Id__c" '
    "GROUP BY 1 ORDER BY revenue DESC NULLS LAST LIMIT 10"
)
FORMATS = ("table", "csv", "jsonl", "parquet")


@click.group()
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
def main(verbose: int) -> None:
    """cdpdb: Salesforce Data Cloud as SQL."""
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
        )


def _require_local():
    try:
        from cdpdb import local
    except ImportError as exc:
        raise click.ClickException(
            f"the local Data Cloud needs the 'local' extra ({exc.name} is missing): pip install 'cdpdb[local]'"
        ) from None
    return local


def connection_options(command):
    """Options shared by every command that connects; secrets come from CDPDB_* variables."""
    options = [
        click.option("--local", is_flag=True, help="Start an embedded local Data Cloud and query it (no credentials)."),
        click.option("--scale", default=10_000, show_default=True, help="With --local: contacts to generate."),
        click.option("--login-url", help="https://login.salesforce.com, a sandbox or My Domain (or CDPDB_LOGIN_URL)."),
        click.option("--username", help="Or CDPDB_USERNAME; the password comes from CDPDB_PASSWORD."),
        click.option("--client-id", help="The connected app (or CDPDB_CLIENT_ID; secret: CDPDB_CLIENT_SECRET)."),
        click.option("--private-key-file", type=click.Path(dir_okay=False), help="RSA key for a JWT login."),
        click.option("--dataspace", help="The data space."),
        click.option("--api", type=click.Choice(["v3", "v2", "v1", "connect"]), help="Query API (default v3)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@contextlib.contextmanager
def _connection(local: bool, scale: int, progress: bool, **given) -> Iterator:
    import cdpdb

    given = {k: v for k, v in given.items() if v is not None}
    given["progress"] = progress
    try:
        if local:
            with _require_local().serve(scale=scale) as cloud, cdpdb.connect(**cloud.connect_args(**given)) as conn:
                yield conn
        else:
            with cdpdb.connect(**given) as conn:
                yield conn
    except cdpdb.Error as exc:  # a clear message, no traceback
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option(
    "--scale", default=10_000, show_default=True, help="Source contacts to generate (orders 3x, email events 5x)."
)
@click.option("--seed", default=42, show_default=True, help="Random seed of the generated dataset.")
@click.option("--port", default=0, help="Port of the core host (OAuth, Connect API); 0 picks a free one.")
@click.option("--tenant-port", default=0, help="Port of the TLS tenant host (Direct API); 0 picks a free one.")
@click.option("--no-tls", is_flag=True, help="Serve the Direct API over plain HTTP on the core port.")
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the demo JWT private key here (default: a file in the server's temporary folder).",
)
def serve(scale: int, seed: int, port: int, tenant_port: int, no_tls: bool, key_file: str | None) -> None:
    """Run the local Data Cloud in the foreground until Ctrl-C."""
    local = _require_local()
    started = time.perf_counter()
    with local.serve(scale=scale, seed=seed, tls=not no_tls, port=port, tenant_port=tenant_port) as cloud:
        creds = cloud.credentials
        key_path = key_file or f"{cloud.engine.workdir.parent}/demo-jwt-key.pem"
        Path(key_path).write_text(creds.private_key_pem)
        click.echo(f"Local Data Cloud ready in {time.perf_counter() - started:.1f} s (scale {scale}, seed {seed})")
        click.echo(f"  login URL      {cloud.login_url}")
        click.echo(f"  tenant URL     {cloud.tenant_url}")
        if cloud.ca_path:
            click.echo(f"  CA certificate {cloud.ca_path}")
        click.echo(f"  OpenAPI        {cloud.login_url}/openapi.json")
        click.echo("Demo credentials (valid for this server only):")
        click.echo(f"  username       {creds.username}")
        click.echo(f"  password       {creds.password}")
        click.echo(f"  client_id      {creds.client_id}")
        click.echo(f"  client_secret  {creds.client_secret}")
        click.echo(f"  refresh_token  {creds.refresh_token}")
        click.echo(f"  JWT key file   {key_path}")
        click.echo(f"  admin header   X-Cdpdb-Admin: {cloud.admin_key}")
        click.echo("Dataspaces: default, marketing. Press Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopping")


@main.command()
@click.option("--scale", default=10_000, show_default=True, help="Source contacts to generate.")
@click.option("--sql", default=DEMO_SQL, help="The query to run (Hyper SQL, Query API V3).")
def demo(scale: int, sql: str) -> None:
    """Start an embedded local Data Cloud, log in, run one query with the driver, print the table."""
    started = time.perf_counter()
    with _connection(True, scale, False) as conn:
        ready = time.perf_counter()
        cur = conn.cursor()
        cur.execute(sql)
        table = cur.fetch_arrow_table()
        done = time.perf_counter()
    click.echo(
        f"local Data Cloud started in {ready - started:.1f} s; query over HTTPS (API v3) took "
        f"{(done - ready) * 1000:.0f} ms"
    )
    click.echo(format_table(table))


@main.command()
@click.argument("sql")
@connection_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here, not to stdout.")
@click.option("--max-rows", default=100, show_default=True, help="Rows shown by --format table.")
def query(sql: str, fmt: str, output: str | None, max_rows: int, local: bool, scale: int, **given) -> None:
    """Run SQL and print the result (table, CSV, JSON lines) or write it (Parquet)."""
    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet needs --output FILE")
    with _connection(local, scale, False, **given) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        if fmt == "table":
            rows = cur.fetchmany(max_rows + 1)
            click.echo(format_rows([d[0] for d in cur.description or []], rows[:max_rows]))
            if len(rows) > max_rows:
                click.echo(f"(only the first {max_rows} rows are shown; use --max-rows, --format csv or export)")
            return
        _write(cur, fmt, output, progress=False)


@main.command()
@click.argument("sql")
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@connection_options
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), help="Default: from the file suffix.")
def export(sql: str, output: str, fmt: str | None, local: bool, scale: int, **given) -> None:
    """Stream a query's result to a Parquet or CSV file with bounded memory and a progress bar."""
    fmt = fmt or ("csv" if output.lower().endswith(".csv") else "parquet")
    with _connection(local, scale, True, **given) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        rows = _write(cur, fmt, output, progress=True)
    click.echo(f"wrote {rows:,} rows to {output}", err=True)


def _write(cur, fmt: str, output: str | None, progress: bool) -> int:
    """Stream every batch to the sink; only one page is held in memory."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rows, writer = 0, None
    sink = output or sys.stdout.buffer
    try:
        for batch in cur.fetch_arrow_batches():
            if fmt == "jsonl":
                _jsonl(batch, sink)
            elif writer is None:
                writer = (
                    pq.ParquetWriter(sink, batch.schema) if fmt == "parquet" else pacsv.CSVWriter(sink, batch.schema)
                )
            if writer is not None:
                writer.write_table(pa.Table.from_batches([batch])) if fmt == "parquet" else writer.write_batch(batch)
            rows += batch.num_rows
        if writer is None and fmt in ("parquet", "csv"):
            empty = cur.fetch_arrow_table()
            (pq.write_table if fmt == "parquet" else pacsv.write_csv)(empty, sink)
    finally:
        if writer is not None:
            writer.close()
    return rows


def _jsonl(batch, sink) -> None:
    import orjson

    out = sink if not isinstance(sink, str) else open(sink, "ab")  # noqa: SIM115 - closed below
    try:
        for row in batch.to_pylist():
            out.write(orjson.dumps(row, default=str, option=orjson.OPT_NAIVE_UTC) + b"\n")
    finally:
        if out is not sink:
            out.close()


def format_table(table) -> str:
    """A plain-text grid of an Arrow table."""
    return format_rows(table.column_names, [tuple(row.values()) for row in table.to_pylist()])


def format_rows(columns: list[str], values: list[tuple]) -> str:
    """A plain-text grid: column names, then rows."""
    rows = [["" if v is None else str(v) for v in row] for row in values]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line, "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |", line]
    out += ["| " + " | ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in rows]
    out += [line, f"({len(rows)} rows)"]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
