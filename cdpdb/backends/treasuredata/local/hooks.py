"""What the local Treasure Data plugs into the Treasure Data client (entry-point group
``cdpdb.local``): ``embedded_connect_args``, the ``connect()`` arguments of a local server
started in this process on first use (a ``treasuredata://local`` URL). The client finds it by
name and never imports the emulator."""

from __future__ import annotations

import atexit
import threading
from collections.abc import Mapping
from typing import Any

_lock = threading.Lock()
_servers: dict[tuple[int, int], Any] = {}


def embedded_connect_args(options: Mapping[str, str]) -> dict[str, Any]:
    """``connect()`` arguments for ``...local?scale=..&seed=..&<setting>=..``: one local server
    per (scale, seed) in this process, started on first use; other options pass through."""
    options = dict(options)
    key = (int(options.pop("scale", 10_000)), int(options.pop("seed", 42)))
    with _lock:
        if key not in _servers:
            from cdpdb.backends.treasuredata.local.cloud import LocalTreasureData

            server = LocalTreasureData(scale=key[0], seed=key[1])
            atexit.register(server.close)
            _servers[key] = server
        server = _servers[key]
    args: dict[str, Any] = server.connect_args(**options)
    return args
