"""What the local Treasure Data plugs into the Treasure Data client (entry-point group
``cdpdb.local``): ``embedded_connect_args``, the ``connect()`` arguments of a local server
started in this process on first use (a ``treasuredata://local`` URL). The client finds it by
name and never imports the emulator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdpdb.local.service import EmbeddedServers


def _start(key: tuple[int, int]) -> Any:
    from cdpdb.backends.treasuredata.local.cloud import LocalTreasureData  # on first use: hooks load early

    return LocalTreasureData(scale=key[0], seed=key[1])


_servers: EmbeddedServers[Any] = EmbeddedServers(_start)


def embedded_connect_args(options: Mapping[str, str]) -> dict[str, Any]:
    """``connect()`` arguments for ``...local?scale=..&seed=..&<setting>=..``: one local server
    per (scale, seed) in this process, started on first use; other options pass through."""
    options = dict(options)
    key = (int(options.pop("scale", 10_000)), int(options.pop("seed", 42)))
    args: dict[str, Any] = _servers.get(key).connect_args(**options)
    return args
