"""The Customer.io part of the ``cdpdb`` command line: ``cdpdb serve --backend customerio``."""

from __future__ import annotations

from typing import Any

import click

from cdpdb.cli.foreground import Line, listener_options, missing_extra, serve_until_stopped

SERVE_OPTIONS = listener_options()


def serve(port: int = 0, no_tls: bool = False) -> None:
    """The local Customer.io until Ctrl-C or SIGTERM. Its keys are printed on purpose: they are
    valid for this throw-away server only."""
    try:
        from cdpdb.backends.customerio import local
    except ImportError as exc:
        raise missing_extra("Customer.io", exc) from None
    serve_until_stopped(local.serve(port=port, tls=not no_tls), _banner)


def _banner(cio: Any) -> list[Line]:
    return [
        "Local Customer.io ready",
        ("base URL", cio.base_url),
        ("CA certificate", cio.ca_path),
        ("OpenAPI", f"{cio.base_url}/openapi.json"),
        "Keys (valid for this server only):",
        ("API key", cio.api_key),
        ("region key", cio.region_key),
        ("admin key", f"{cio.admin_key}  (X-Cdpdb-Admin, for GET /__cdpdb/received)"),
    ]


def commands() -> list[click.Command]:
    return []
