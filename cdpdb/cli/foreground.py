"""What every backend's ``serve`` does once its emulator is up: print where to reach it, then wait
for Ctrl-C, SIGTERM or SIGHUP and stop it cleanly (the ``with`` block's exit removes its folder).

A backend's ``cli.serve`` keeps what is its own: its options, how its emulator starts, and which
addresses and throw-away credentials are worth printing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import TypeVar

import click

from cdpdb.cli.signals import stop_signals

Running = TypeVar("Running")
#: A line of the banner: a heading as it is, or (label, value) indented and aligned; a value of
#: None leaves its line out (a CA file when serving plain HTTP).
Line = str | tuple[str, str | None]


def listener_options(host: str = "the API host") -> list[click.Option]:
    """``--port`` and ``--no-tls``, the options of an emulator with one listener (no defaults: the
    serve command hands a backend only what was given)."""
    return [
        click.Option(["--port"], type=int, help=f"port of {host}; 0 picks a free one"),
        click.Option(["--no-tls"], is_flag=True, default=None, help="serve over plain HTTP instead of HTTPS"),
    ]


def missing_extra(title: str, error: ImportError) -> click.ClickException:
    """The error of an emulator whose optional dependencies are not installed."""
    return click.ClickException(f"the local {title} needs the 'local' extra ({error.name} is missing)")


def serve_until_stopped(emulator: AbstractContextManager[Running], banner: Callable[[Running], Iterable[Line]]) -> None:
    """Start ``emulator`` (a context manager, entered once signals stop it cleanly), print its
    banner and wait; on Ctrl-C or a stop signal print "stopped" and stop it."""
    with stop_signals(), emulator as running:
        for line in banner(running):
            if isinstance(line, str):
                click.echo(line)
            elif line[1] is not None:
                click.echo(f"  {line[0]:<14} {line[1]}")
        click.echo("Press Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped")
