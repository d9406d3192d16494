"""The Crescendo Lab part of the ``cdpdb`` command line: ``cdpdb serve --backend crescendolab``."""

from __future__ import annotations

from typing import Any

import click

from cdpdb.cli.foreground import Line, listener_options, missing_extra, serve_until_stopped

SERVE_OPTIONS = listener_options()


def serve(port: int = 0, no_tls: bool = False) -> None:
    """The local Crescendo Lab until Ctrl-C or SIGTERM. Its token is printed on purpose: it is
    valid for this throw-away server only."""
    try:
        from cdpdb.backends.crescendolab import local
    except ImportError as exc:
        raise missing_extra("Crescendo Lab", exc) from None
    serve_until_stopped(local.serve(port=port, tls=not no_tls), _banner)


def _banner(crescendo: Any) -> list[Line]:
    return [
        "Local Crescendo Lab ready",
        ("base URL", crescendo.base_url),
        ("CA certificate", crescendo.ca_path),
        ("OpenAPI", f"{crescendo.base_url}/openapi.json"),
        "Token (valid for this server only):",
        ("token", crescendo.token),
    ]


def commands() -> list[click.Command]:
    return []
