"""The ``cdpdb`` command line."""

from __future__ import annotations

import logging
import sys
import time

import click

DEMO_SQL = (
    'SELECT i."ssot__CountryId__c" AS country, COUNT(DISTINCT i."ssot__Id__c") AS customers, '
    'COUNT(o."ssot__Id__c") AS orders, SUM(o."ssot__GrandTotalAmount__c") AS revenue '
    'FROM "ssot__Individual__dlm" i JOIN "ssot__SalesOrder__dlm" o '
    'ON o."ssot__SoldToCustomerId__c" = i."ssot__Id__c" '
    "GROUP BY 1 ORDER BY revenue DESC NULLS LAST LIMIT 10"
)


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
        with open(key_path, "w") as handle:
            handle.write(creds.private_key_pem)
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
    """Start an embedded local Data Cloud, log in, run one query over the V3 API, print the table."""
    local = _require_local()
    from cdpdb._demo import run_demo

    started = time.perf_counter()
    with local.serve(scale=scale) as cloud:
        ready = time.perf_counter()
        table, elapsed = run_demo(cloud, sql)
        click.echo(f"local Data Cloud started in {ready - started:.1f} s; query over HTTP took {elapsed * 1000:.0f} ms")
        click.echo(format_table(table))


def format_table(table) -> str:
    """A plain-text grid of an Arrow table (column names, then rows)."""
    columns = table.column_names
    rows = [["" if v is None else str(v) for v in row.values()] for row in table.to_pylist()]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line, "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |", line]
    out += ["| " + " | ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in rows]
    out += [line, f"({len(rows)} rows)"]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
