"""What the local Adobe plugs into the Adobe client (entry-point group ``cdpdb.local``):
``embedded_connect_args`` for ``adobe://local?scale=..&seed=..``, one server per (scale, seed)
in this process, started on first use. The client finds it by name, never imports it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdpdb.local.service import EmbeddedServers


def _start(key: tuple[int, int]) -> Any:
    from cdpdb.backends.adobe.local.cloud import LocalAdobe  # on first use: hooks load early

    return LocalAdobe(scale=key[0], seed=key[1])


_servers: EmbeddedServers[Any] = EmbeddedServers(_start)


def embedded_connect_args(options: Mapping[str, str]) -> dict[str, Any]:
    options = dict(options)
    key = (int(options.pop("scale", 1000)), int(options.pop("seed", 42)))
    args: dict[str, Any] = _servers.get(key).connect_args(**options)
    return args
