"""The Customer.io part of the ``cdpdb`` command line: ``cdpdb serve --backend customerio``."""

from __future__ import annotations

import time

import click

from cdpdb.cli.signals import stop_signals

SERVE_OPTIONS = [
    click.Option(["--port"], type=int, help="port of the API host; 0 picks a free one"),
    click.Option(["--no-tls"], is_flag=True, default=None, help="serve over plain HTTP instead of HTTPS"),
]


def serve(port: int = 0, no_tls: bool = False) -> None:
    """The local Customer.io until Ctrl-C or SIGTERM. Its keys are printed on purpose: they are
    valid for this throw-away server only."""
    try:
        from cdpdb.backends.customerio import local
    except ImportError as exc:
        raise click.ClickException(f"the local Customer.io needs the 'local' extra ({exc.name} is missing)") from None
    with stop_signals(), local.serve(port=port, tls=not no_tls) as cio:
        click.echo("Local Customer.io ready")
        click.echo(f"  base URL       {cio.base_url}")
        if cio.ca_path:
            click.echo(f"  CA certificate {cio.ca_path}")
        click.echo(f"  OpenAPI        {cio.base_url}/openapi.json")
        click.echo("Keys (valid for this server only):")
        click.echo(f"  API key        {cio.api_key}")
        click.echo(f"  region key     {cio.region_key}")
        click.echo(f"  admin key      {cio.admin_key}  (X-Cdpdb-Admin, for GET /__cdpdb/received)")
        click.echo("Press Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped")


def commands() -> list[click.Command]:
    return []
