"""What the local Crescendo Lab plugs into its client (entry-point group ``cdpdb.local``):
``embedded_connect_args`` for ``crescendolab://local``, a server started in this process on
first use. The client finds it by name, never importing the emulator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdpdb.local.service import EmbeddedServers


def _start(key: Any) -> Any:
    from cdpdb.backends.crescendolab.local.cloud import LocalCrescendo  # on first use: hooks load early

    return LocalCrescendo()


_servers: EmbeddedServers[Any] = EmbeddedServers(_start)


def embedded_connect_args(options: Mapping[str, str]) -> dict[str, Any]:
    args: dict[str, Any] = _servers.get().connect_args(**options)
    return args
