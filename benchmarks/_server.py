"""A local Data Cloud in a process of its own, for benchmarks: clients then do not share its
interpreter (its GIL, its garbage collector), as with a real server. The process is
_bench.ServerProcess's; this adds what the Salesforce clients need to reach it (``info``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import _bench


class ServerProcess(_bench.ServerProcess):
    """``with ServerProcess(scale=..., latency_ms=...) as server``: ``server.info`` has what
    clients need; ``set_limits`` and ``requests`` as every backend's."""

    def __init__(self, scale: int, **limits: Any) -> None:
        from cdpdb.local import Limits

        super().__init__("cdpdb.local:serve", scale=scale, limits=Limits(**limits))

    def __enter__(self) -> ServerProcess:
        super().__enter__()
        self.info: dict[str, Any] = {
            "connect_args": self.call("connect_args"),
            "login_url": self.call("login_url"),
            "ca": self.call("ca_path"),
            "credentials": asdict(self.call("credentials")),
        }
        return self
