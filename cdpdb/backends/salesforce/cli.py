"""The Data Cloud commands of the ``cdpdb`` command line: the connection options, ``query`` and
``export`` against an org or an embedded local Data Cloud, ``serve`` and ``demo``."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import click

from cdpdb.backends.salesforce.cli_apis import ingest, insight, profile
from cdpdb.backends.salesforce.cli_options import _connection, _require_local, connection_options
from cdpdb.cli.output import (
    EXPORT_FORMATS,
    FORMATS,
    SUFFIXES,
    check_output,
    format_from_suffix,
    format_table,
    print_result,
    progress_available,
    replacing,
    write,
    write_table,
)
from cdpdb.cli.signals import stop_signals

DEMO_SQL = (
    'SELECT i."ssot__CountryId__c" AS country, COUNT(DISTINCT i."ssot__Id__c") AS customers, '
    'COUNT(o."ssot__Id__c") AS orders, SUM(o."ssot__GrandTotalAmount__c") AS revenue '
    'FROM "ssot__Individual__dlm" i JOIN "ssot__SalesOrder__dlm" o '
    'ON o."ssot__SoldToCustomerId__c" = i."ssot__Id__c" '
    "GROUP BY 1 ORDER BY revenue DESC NULLS LAST LIMIT 10"
)


# The options of ``cdpdb serve --backend salesforce`` (the default backend): the command line
# merges every backend's serve options into one ``serve`` command.
SERVE_OPTIONS = [
    click.Option(["--scale"], type=int, help="source contacts to generate (10,000; orders 3x, email events 5x)"),
    click.Option(["--seed"], type=int, help="random seed of the generated dataset (42)"),
    click.Option(["--port"], type=int, help="port of the core host (OAuth, Connect API); 0 picks a free one"),
    click.Option(["--tenant-port"], type=int, help="port of the TLS tenant host (Direct API); 0 picks a free one"),
    click.Option(
        ["--no-tls"], is_flag=True, default=None, help="serve the Direct API over plain HTTP on the core port"
    ),
    click.Option(
        ["--key-file"],
        type=click.Path(dir_okay=False, writable=True),
        help="write the demo JWT private key here (default: a file in the server's temporary folder)",
    ),
]


def serve(
    scale: int = 10_000,
    seed: int = 42,
    port: int = 0,
    tenant_port: int = 0,
    no_tls: bool = False,
    key_file: str | None = None,
) -> None:
    """The local Data Cloud in the foreground until Ctrl-C or SIGTERM; either stops it cleanly:
    the temporary folder (CA, TLS and JWT private keys, Hyper files) is removed."""
    if key_file:
        check_output(key_file)
    local = _require_local()
    started = time.perf_counter()
    options = {"scale": scale, "seed": seed, "tls": not no_tls}
    try:  # an interrupt at any point, even before the loop below, is a requested stop: exit 0
        with stop_signals(), _local_server(local, port, tenant_port, **options) as cloud:
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


@click.command()
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


@click.command()
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
        check_output(output)
    with stop_signals(), _connection(local, scale, False, **given) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        if output is None:
            print_result(cur, fmt, max_rows)
            return
        with replacing(output) as sink:
            rows = write_table(cur, max_rows, sink) if fmt == "table" else write(cur, fmt, sink)
    click.echo(f"wrote {rows:,} rows to {output}", err=True)


@click.command()
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
    fmt = fmt or format_from_suffix(output)
    check_output(output)
    progress = progress and progress_available()
    with stop_signals(), _connection(local, scale, progress, **given) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        with replacing(output) as sink:
            rows = write(cur, fmt, sink)
    click.echo(f"wrote {rows:,} rows to {output}", err=True)


def _login_options(command):
    options = [
        click.option(
            "--login-url",
            help="Your My Domain (https://MyDomain.my.salesforce.com), login.salesforce.com or test.salesforce.com "
            "(or CDPDB_LOGIN_URL).",
        ),
        click.option(
            "--client-id",
            help="The External Client App's consumer key (or CDPDB_CLIENT_ID); a secret, if the app requires one "
            "for the web-server flow, comes from CDPDB_CLIENT_SECRET.",
        ),
        click.option("--token-store", type=click.Choice(["auto", "keyring", "file"]), help="Where the login is kept."),
        click.option("--token-dir", type=click.Path(file_okay=False), help="The file store's folder."),
        click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False), help="PEM file of the CAs to trust."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _login_settings(**given):
    import cdpdb
    from cdpdb.backends.salesforce.settings import Settings

    try:
        return Settings.from_arguments({**{k: v for k, v in given.items() if v is not None}, "auth": "browser"})
    except cdpdb.Error as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@_login_options
@click.option(
    "--callback-url",
    help="The loopback redirect registered on the app (default http://127.0.0.1:1717/callback; port 0: a free one).",
)
@click.option("--timeout", "login_timeout", type=float, help="Seconds to wait for the browser (300).")
@click.option("--no-browser", is_flag=True, help="Only print the login URL (a headless machine).")
def login(no_browser: bool, **given) -> None:
    """Log in with your browser (OAuth web-server flow with PKCE) and keep the login.

    \b
    Later connections reuse it silently:
      cdpdb.connect(auth="browser", login_url=..., client_id=...)
    `cdpdb logout` forgets it. The token is never printed.
    """
    import cdpdb
    from cdpdb.backends.salesforce.auth import SalesforceLogin
    from cdpdb.backends.salesforce.errors import error_from_response
    from cdpdb.core.http import HttpClient

    settings = _login_settings(open_browser=not no_browser, **given)
    http = HttpClient(settings.http_options(), error_from_response)
    logins = SalesforceLogin(settings, http)
    try:
        with stop_signals():
            core = logins.browser_login(announce=lambda url: click.echo(f"Log in at:\n  {url}", err=True))
            token = logins.finish(core)  # the Data Cloud token exchange: this org and user may query
    except KeyboardInterrupt:
        click.echo("login cancelled", err=True)
        raise SystemExit(130) from None
    except cdpdb.Error as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        http.close()
    click.echo(f"Logged in to {core.base_url} (Data Cloud tenant {token.base_url}).")
    click.echo(f"The login is kept in {logins.store().where}; `cdpdb logout` removes it.")


@click.command()
@_login_options
def logout(**given) -> None:
    """Forget the kept browser login (and revoke it at Salesforce when it can be reached)."""
    import cdpdb
    from cdpdb.backends.salesforce import wire
    from cdpdb.backends.salesforce.errors import error_from_response
    from cdpdb.backends.salesforce.tokenstore import TokenStore, store_key
    from cdpdb.core.auth import PROCESS_TOKENS
    from cdpdb.core.http import HttpClient

    settings = _login_settings(**given)
    try:
        store = TokenStore(settings.token_store, settings.token_dir)
        key = store_key(settings.login_url, str(settings.client_id))
        refresh = store.load(key)
    except cdpdb.Error as exc:
        raise click.ClickException(str(exc)) from None
    if refresh is None:
        click.echo(f"No kept login for {settings.client_id} at {settings.login_url}.")
        return
    http = HttpClient(settings.http_options(), error_from_response)
    try:
        http.call(
            "POST",
            f"{settings.login_url}{wire.REVOKE_PATH}",
            data={"token": refresh},
            expect="none",
            what="revoking the login",
        )
        revoked = "revoked and "
    except cdpdb.Error:
        revoked = ""  # unreachable or already revoked: forgetting it here is what matters
    finally:
        http.close()
    store.delete(key)
    PROCESS_TOKENS.clear()  # a login run in this process (cdpdb used as a library) is forgotten too
    click.echo(f"Logged out: the login was {revoked}removed from {store.where}.")


def commands() -> list[click.Command]:
    """What this backend adds to ``cdpdb`` besides its ``serve`` (the command line asks every backend)."""
    return [demo, query, export, profile, insight, ingest, login, logout]
