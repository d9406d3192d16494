"""The Adobe part of the ``cdpdb`` command line: ``cdpdb serve --backend adobe``."""

from __future__ import annotations

import time

import click

from cdpdb.cli.signals import stop_signals

SERVE_OPTIONS = [
    click.Option(["--scale"], type=int, help="profiles of the sandbox prod (1,000; dev has a tenth)"),
    click.Option(["--seed"], type=int, help="random seed of the generated dataset (42)"),
    click.Option(["--port"], type=int, help="port of the IMS + Platform host; 0 picks a free one"),
    click.Option(["--no-tls"], is_flag=True, default=None, help="serve over plain HTTP instead of HTTPS"),
]


def serve(scale: int = 1000, seed: int = 42, port: int = 0, no_tls: bool = False) -> None:
    """The local Adobe until Ctrl-C or SIGTERM. The demo credential is printed on purpose: it is
    valid for this throw-away server only."""
    try:
        from cdpdb.backends.adobe import local
    except ImportError as exc:
        raise click.ClickException(f"the local Adobe needs the 'local' extra ({exc.name} is missing)") from None
    started = time.perf_counter()
    try:
        with stop_signals(), local.serve(scale=scale, seed=seed, port=port, tls=not no_tls) as adobe:
            click.echo(f"Local Adobe ready in {time.perf_counter() - started:.1f} s (scale {scale}, seed {seed})")
            click.echo(f"  platform URL   {adobe.url}")
            click.echo(f"  IMS URL        {adobe.url}")
            if adobe.ca_path:
                click.echo(f"  CA certificate {adobe.ca_path}")
            click.echo(f"  sandboxes      {','.join(adobe.store.sandboxes)}")
            click.echo("Demo credential (valid for this server only):")
            click.echo(f"  client_id      {adobe.credential.client_id}")
            click.echo(f"  client_secret  {adobe.credential.client_secret}")
            click.echo(f"  org_id         {adobe.org_id}")
            click.echo("Press Ctrl-C to stop.")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped")


def commands() -> list[click.Command]:
    return []
