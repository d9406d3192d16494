"""The Crescendo Lab part of the ``cdpdb`` command line: ``cdpdb serve --backend crescendolab``."""

from __future__ import annotations

import time

import click

from cdpdb.cli.signals import stop_signals

SERVE_OPTIONS = [
    click.Option(["--port"], type=int, help="port of the API host; 0 picks a free one"),
    click.Option(["--no-tls"], is_flag=True, default=None, help="serve over plain HTTP instead of HTTPS"),
]


def serve(port: int = 0, no_tls: bool = False) -> None:
    """The local Crescendo Lab until Ctrl-C or SIGTERM. Its token is printed on purpose: it is
    valid for this throw-away server only."""
    try:
        from cdpdb.backends.crescendolab import local
    except ImportError as exc:
        raise click.ClickException(f"the local Crescendo Lab needs the 'local' extra ({exc.name} is missing)") from None
    with stop_signals(), local.serve(port=port, tls=not no_tls) as crescendo:
        click.echo("Local Crescendo Lab ready")
        click.echo(f"  base URL       {crescendo.base_url}")
        if crescendo.ca_path:
            click.echo(f"  CA certificate {crescendo.ca_path}")
        click.echo(f"  OpenAPI        {crescendo.base_url}/openapi.json")
        click.echo("Token (valid for this server only):")
        click.echo(f"  token          {crescendo.token}")
        click.echo("Press Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped")


def commands() -> list[click.Command]:
    return []
