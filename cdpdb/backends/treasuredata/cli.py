"""The Treasure Data part of the ``cdpdb`` command line: ``cdpdb serve --backend treasuredata``."""

from __future__ import annotations

import time

import click

from cdpdb.cli.signals import stop_signals

SERVE_OPTIONS = [
    click.Option(["--scale"], type=int, help="profiles of the parent segment 'Customers JP' (10,000)"),
    click.Option(["--seed"], type=int, help="random seed of the generated dataset (42)"),
    click.Option(["--port"], type=int, help="port of the Audience API host; 0 picks a free one"),
    click.Option(["--no-tls"], is_flag=True, default=None, help="serve over plain HTTP instead of HTTPS"),
]


def serve(scale: int = 10_000, seed: int = 42, port: int = 0, no_tls: bool = False) -> None:
    """The local Treasure Data until Ctrl-C or SIGTERM. The demo keys are printed on purpose: they
    are valid for this throw-away server only."""
    try:
        from cdpdb.backends.treasuredata import local
    except ImportError as exc:
        raise click.ClickException(f"the local Treasure Data needs the 'local' extra ({exc.name} is missing)") from None
    started = time.perf_counter()
    try:
        with stop_signals(), local.serve(scale=scale, seed=seed, port=port, tls=not no_tls) as td:
            click.echo(
                f"Local Treasure Data ready in {time.perf_counter() - started:.1f} s (scale {scale}, seed {seed})"
            )
            click.echo(f"  site URL       {td.site_url}")
            if td.ca_path:
                click.echo(f"  CA certificate {td.ca_path}")
            click.echo(f"  OpenAPI        {td.site_url}/openapi.json")
            click.echo(f"  Trino endpoint {td.site_url}")  # /v1/statement, the user is the API key (trino_host=)
            click.echo("Demo keys (valid for this server only):")
            click.echo(f"  master key     {td.apikey}")
            click.echo(f"  write-only key {td.write_only_apikey}")
            click.echo("Press Ctrl-C to stop.")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped")


def commands() -> list[click.Command]:
    return []
