"""The ``cdpdb`` command line: run the local Data Cloud, query, export."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click

from cdpdb import __version__

DEMO_SQL = (
    'SELECT i."ssot__CountryId__c" AS country, COUNT(DISTINCT i."ssot__Id__c") AS customers, '
    'COUNT(o."ssot__Id__c") AS orders, SUM(o."ssot__GrandTotalAmount__c") AS revenue '
    'FROM "ssot__Individual__dlm" i JOIN "ssot__SalesOrder__dlm" o '
    'ON o."ssot__SoldToCustomerId__c" = i."ssot__Id__c" '
    "GROUP BY 1 ORDER BY revenue DESC NULLS LAST LIMIT 10"
)
FORMATS = ("table", "csv", "jsonl", "parquet")
EXPORT_FORMATS = ("parquet", "csv", "jsonl")
SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
PROGRESS_HINT = 'progress bar off: tqdm is not installed; pip install "cdpdb[progress]" for one (or pass --no-progress)'


@click.group()
@click.version_option(__version__, "--version", "-V", prog_name="cdpdb", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
def main(verbose: int) -> None:
    """cdpdb: Salesforce Data Cloud as SQL.

    \b
    Examples, against an embedded local Data Cloud (no credentials, no org):
      cdpdb demo
      cdpdb query --local 'SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" LIMIT 5'
      cdpdb export --local 'SELECT * FROM "ssot__SalesOrder__dlm"' orders.parquet
      cdpdb serve --scale 100000 --port 8080

    \b
    Against an org (secrets only through CDPDB_* environment variables):
      export CDPDB_PASSWORD=... CDPDB_CLIENT_SECRET=...
      cdpdb query --login-url https://MyDomain.my.salesforce.com \\
                  --username me@example.com --client-id 3MVG9... 'SELECT 1'
      CDPDB_REFRESH_TOKEN=... cdpdb query --client-id 3MVG9... 'SELECT 1'
      CDPDB_TOKEN=... cdpdb query --tenant-url https://TENANT.c360a.salesforce.com 'SELECT 1'
    """
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
        )


def _require_local():
    try:
        from cdpdb.backends.salesforce import local
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
        click.option(
            "--client-id",
            help="The connected app (or CDPDB_CLIENT_ID; secret: CDPDB_CLIENT_SECRET). "
            "A refresh-token login needs it and CDPDB_REFRESH_TOKEN.",
        ),
        click.option("--private-key-file", type=click.Path(dir_okay=False), help="RSA key for a JWT login."),
        click.option(
            "--tenant-url",
            help="A ready Data Cloud token's tenant, https://... (or CDPDB_TENANT_URL); the token: CDPDB_TOKEN.",
        ),
        click.option(
            "--auth",
            type=click.Choice(["password", "jwt", "refresh_token", "client_credentials", "token"]),
            help="The login flow, when the credentials given fit more than one (default: inferred).",
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(exists=True, dir_okay=False),
            help="PEM file of the CAs to trust (a TLS-inspecting proxy, or `cdpdb serve`'s CA certificate).",
        ),
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
    """Run the local Data Cloud in the foreground until Ctrl-C or SIGTERM.

    Either stops it cleanly: the temporary folder (CA, TLS and JWT private keys, Hyper files) is removed.

    \b
    Examples:
      cdpdb serve                                   # free ports, scale 10,000
      cdpdb serve --scale 200000 --port 8080 --tenant-port 8443
      cdpdb serve --no-tls --key-file ./demo-key.pem
    """
    if key_file:
        _check_output(key_file)
    local = _require_local()
    started = time.perf_counter()
    options = {"scale": scale, "seed": seed, "tls": not no_tls}
    try:  # an interrupt at any point, even before the loop below, is a requested stop: exit 0
        with _stop_signals(), _local_server(local, port, tenant_port, **options) as cloud:
            key_path = key_file or str(cloud.folder / "demo-jwt-key.pem")
            _write_private(key_path, cloud.credentials.private_key_pem)
            click.echo(f"Local Data Cloud ready in {time.perf_counter() - started:.1f} s (scale {scale}, seed {seed})")
            _announce(cloud, key_path)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped; the temporary folder is removed")


def _write_private(path: str, text: str) -> None:
    """A private key readable by its owner only (0600), wherever ``--key-file`` puts it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w") as out:
        out.write(text)


@contextlib.contextmanager
def _local_server(local, port: int, tenant_port: int, **options) -> Iterator:
    """A local Data Cloud on the given ports; a taken port is one line naming the option to change."""
    from cdpdb.local.server import PortInUse

    try:
        cloud = local.LocalDataCloud(port=port, tenant_port=tenant_port, **options)
    except PortInUse as exc:
        option = "--port" if exc.port == port else "--tenant-port"
        raise click.ClickException(f"{exc}; choose another {option}, or {option} 0 for a free one") from None
    with cloud:
        yield cloud


def _announce(cloud, key_path: str) -> None:
    """What a user needs to connect. The demo credentials are printed on purpose: they are valid for
    this throw-away server only (docs/reliability.md lists this exception)."""
    creds = cloud.credentials
    click.echo(f"  login URL      {cloud.login_url}")
    click.echo(f"  tenant URL     {cloud.tenant_url}")
    if cloud.ca_path:
        click.echo(f"  CA certificate {cloud.ca_path}")
    click.echo(f"  OpenAPI        {cloud.login_url}/openapi.json")
    click.echo(f"  temp folder    {cloud.folder} (removed on Ctrl-C or SIGTERM)")
    click.echo("Demo credentials (valid for this server only):")
    click.echo(f"  username       {creds.username}")
    click.echo(f"  password       {creds.password}")
    click.echo(f"  client_id      {creds.client_id}")
    click.echo(f"  client_secret  {creds.client_secret}")
    click.echo(f"  refresh_token  {creds.refresh_token}")
    click.echo(f"  JWT key file   {key_path}")
    click.echo(f"  admin header   X-Cdpdb-Admin: {cloud.admin_key}")
    click.echo("Dataspaces: default, marketing. Press Ctrl-C to stop.")


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """Turn SIGTERM (docker stop, systemd, kill) and SIGHUP (terminal closed) into KeyboardInterrupt.

    Their default action ends Python at once, running no ``finally`` and no ``with`` exit, which left
    the server's temporary folder, private keys included, behind (and half-written exports). A signal
    the parent chose to ignore stays ignored; handlers are restored on exit. Signals can only be
    handled in the main thread, so elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, interrupt)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Default: table, or with -o the one its suffix names (.parquet, .csv, .jsonl; any other: table).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write here (any format; an existing file is replaced once the result is complete), not to stdout.",
)
@click.option("--max-rows", default=100, show_default=True, help="Rows shown by --format table.")
def query(sql: str, fmt: str | None, output: str | None, max_rows: int, local: bool, scale: int, **given) -> None:
    """Run SQL and print the result (table, CSV, JSON lines), or write it to a file with -o (also Parquet).

    \b
    Examples:
      cdpdb query --local 'SELECT "ssot__Id__c", "ssot__FirstName__c" FROM "ssot__Individual__dlm" LIMIT 5'
      cdpdb query --local --format csv 'SELECT * FROM "ssot__SalesOrder__dlm"' > orders.csv
      cdpdb query --local -o orders.jsonl 'SELECT * FROM "ssot__SalesOrder__dlm"'   # JSON lines, from the suffix
      CDPDB_PASSWORD=... CDPDB_CLIENT_SECRET=... cdpdb query --login-url https://MyDomain.my.salesforce.com \\
          --username me@example.com --client-id 3MVG9... --api v2 'SELECT COUNT(*) FROM "ssot__Individual__dlm"'
    """
    fmt = fmt or (output and SUFFIXES.get(Path(output).suffix.lower())) or "table"
    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet needs --output FILE")
    if output:
        _check_output(output)
    with _stop_signals(), _connection(local, scale, False, **given) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        if output is None:
            _print(cur, fmt, max_rows)
            return
        with _replacing(output) as sink:
            rows = _write_table(cur, max_rows, sink) if fmt == "table" else _write(cur, fmt, sink)
    click.echo(f"wrote {rows:,} rows to {output}", err=True)


def _print(cur, fmt: str, max_rows: int) -> None:
    """The result on stdout: a grid of the first ``max_rows`` rows, or every row as CSV or JSON lines."""
    if fmt != "table":
        _write(cur, fmt, sys.stdout.buffer)
        return
    rows = cur.fetchmany(max_rows + 1)
    click.echo(format_rows([d[0] for d in cur.description or []], rows[:max_rows]))
    if len(rows) > max_rows:
        click.echo(f"(only the first {max_rows} rows are shown; use --max-rows, --format csv or export)")


def _write_table(cur, max_rows: int, sink: BinaryIO) -> int:
    """The grid of ``--format table`` into a file; the note about rows left out goes to stderr, so the
    file holds only the table."""
    rows = cur.fetchmany(max_rows + 1)
    shown = rows[:max_rows]
    sink.write(format_rows([d[0] for d in cur.description or []], shown).encode() + b"\n")
    if len(rows) > max_rows:
        click.echo(f"(only the first {max_rows} rows were written; use --max-rows, --format csv or export)", err=True)
    return len(shown)


@main.command()
@click.argument("sql")
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@connection_options
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), help="Default: from the suffix (.parquet, .csv, .jsonl)."
)
@click.option(
    "--progress/--no-progress",
    default=True,
    show_default=True,
    help='A progress bar on stderr (needs tqdm: pip install "cdpdb[progress]").',
)
def export(sql: str, output: str, fmt: str | None, progress: bool, local: bool, scale: int, **given) -> None:
    """Stream a query's result to a Parquet, CSV or JSON-lines file with bounded memory and a progress bar.

    The file appears only when the result is complete (written beside it under a temporary name, then
    renamed); a failed or interrupted export leaves no file, and an existing one untouched.

    \b
    Examples:
      cdpdb export --local 'SELECT * FROM "ssot__EmailEngagement__dlm"' events.parquet
      cdpdb export --local --scale 200000 'SELECT * FROM "ssot__SalesOrder__dlm"' orders.csv
      cdpdb export --format csv --no-progress --login-url https://MyDomain.my.salesforce.com \\
          --username me@example.com --client-id 3MVG9... 'SELECT * FROM "ssot__Individual__dlm"' people.txt
    """
    fmt = fmt or _format_from_suffix(output)
    _check_output(output)
    progress = progress and _progress_available()
    with _stop_signals(), _connection(local, scale, progress, **given) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        with _replacing(output) as sink:
            rows = _write(cur, fmt, sink)
    click.echo(f"wrote {rows:,} rows to {output}", err=True)


def _format_from_suffix(output: str) -> str:
    """The export format named by the file's suffix; an unknown suffix is an error, never a guess
    (``out.xlsx`` used to get Parquet)."""
    suffix = Path(output).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    known = ", ".join(SUFFIXES)
    raise click.ClickException(
        f"cannot tell the format of {output!r} from its suffix {suffix or '(none)'}: "
        f"name the file {known}, or pass --format {'|'.join(EXPORT_FORMATS)}"
    )


def _progress_available() -> bool:
    """Whether tqdm can draw the progress bar; if not, say how to get it rather than dropping it silently."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        click.echo(PROGRESS_HINT, err=True)
        return False
    return True


def _check_output(path: str) -> None:
    """Fail before connecting (a query may run for minutes first) when ``path`` cannot be written."""
    folder = Path(path).expanduser().absolute().parent
    if not folder.is_dir():
        raise click.ClickException(
            f"the output folder {folder} does not exist; create it (mkdir -p {folder}) or write elsewhere"
        )
    if not os.access(folder, os.W_OK):
        raise click.ClickException(f"the output folder {folder} is not writable; choose another path")


@contextlib.contextmanager
def _replacing(target: str) -> Iterator[BinaryIO]:
    """A file that becomes ``target`` only when complete.

    It is written beside ``target`` under a hidden temporary name (same folder, so the rename is
    atomic), synced, then renamed over it with ``os.replace``. A failure or interruption
    (KeyboardInterrupt, SIGTERM) removes the temporary file: no truncated result that reads as
    complete, an existing file stays as it was, and a new result replaces an old one, never appends.
    """
    path = Path(target).expanduser()
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(temp, "xb") as sink:
            yield sink
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _write(cur, fmt: str, sink: BinaryIO) -> int:
    """Stream every batch to ``sink`` as Parquet, CSV or JSON lines; only one page is held in memory."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rows, writer = 0, None
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


def _jsonl(batch, sink: BinaryIO) -> None:
    import orjson

    for row in batch.to_pylist():
        sink.write(orjson.dumps(row, default=str, option=orjson.OPT_NAIVE_UTC) + b"\n")


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
