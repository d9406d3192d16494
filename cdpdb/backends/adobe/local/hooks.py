"""What the local Adobe plugs into the Adobe client (entry-point group ``cdpdb.local``):
``embedded_connect_args`` for ``adobe://local?scale=..&seed=..``, one server per (scale, seed)
in this process, started on first use. The client finds it by name, never imports it."""

from __future__ import annotations

import atexit
import threading
from collections.abc import Mapping
from typing import Any

_lock = threading.Lock()
_servers: dict[tuple[int, int], Any] = {}


def embedded_connect_args(options: Mapping[str, str]) -> dict[str, Any]:
    options = dict(options)
    key = (int(options.pop("scale", 1000)), int(options.pop("seed", 42)))
    with _lock:
        if key not in _servers:
            from cdpdb.backends.adobe.local.cloud import LocalAdobe

            server = LocalAdobe(scale=key[0], seed=key[1])
            atexit.register(server.close)
            _servers[key] = server
        server = _servers[key]
    args: dict[str, Any] = server.connect_args(**options)
    return args
