"""What the local Crescendo Lab plugs into its client (entry-point group ``cdpdb.local``):
``embedded_connect_args`` for ``crescendolab://local``, a server started in this process on
first use. The client finds it by name, never importing the emulator."""

from __future__ import annotations

import atexit
import threading
from collections.abc import Mapping
from typing import Any

_lock = threading.Lock()
_server: Any = None


def embedded_connect_args(options: Mapping[str, str]) -> dict[str, Any]:
    global _server
    with _lock:
        if _server is None:
            from cdpdb.backends.crescendolab.local.cloud import LocalCrescendo

            _server = LocalCrescendo()
            atexit.register(_server.close)
    args: dict[str, Any] = _server.connect_args(**options)
    return args
