"""What the local Customer.io plugs into its client (entry-point group ``cdpdb.local``):
``embedded_connect_args``, the ``connect()`` arguments of a local server started in this process
on first use (``customerio://local``). The client finds it by name, never importing the emulator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdpdb.local.service import EmbeddedServers


def _start(key: Any) -> Any:
    from cdpdb.backends.customerio.local.cloud import LocalCustomerIo  # on first use: hooks load early

    return LocalCustomerIo()


_servers: EmbeddedServers[Any] = EmbeddedServers(_start)


def embedded_connect_args(options: Mapping[str, str]) -> dict[str, Any]:
    args: dict[str, Any] = _servers.get().connect_args(**options)
    return args
