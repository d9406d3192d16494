"""A local Data Cloud in a process of its own, for benchmarks: clients then do not share its
interpreter (its GIL, its garbage collector), as with a real server. The parent steers it through
a pipe: added latency, the request count, stop."""

from __future__ import annotations

import multiprocessing
from dataclasses import asdict
from typing import Any


def _serve(scale: int, limits: dict[str, Any], pipe: Any) -> None:
    from cdpdb.local import Limits, serve

    with serve(scale=scale, limits=Limits(**limits)) as cloud:
        pipe.send(
            {
                "connect_args": cloud.connect_args(),
                "login_url": cloud.login_url,
                "ca": cloud.ca_path,
                "credentials": asdict(cloud.credentials),
            }
        )
        while True:
            command, value = pipe.recv()
            if command == "stop":
                return
            if command == "limits":
                cloud.faults.set_limits(**value)
            pipe.send(cloud.faults.stats.get("requests", 0))


class ServerProcess:
    """``with ServerProcess(scale=...) as server``: ``server.info`` has what clients need."""

    def __init__(self, scale: int, **limits: Any) -> None:
        self._scale, self._limits = scale, limits

    def __enter__(self) -> ServerProcess:
        self._pipe, theirs = multiprocessing.Pipe()
        context = multiprocessing.get_context("spawn")
        self._process = context.Process(target=_serve, args=(self._scale, self._limits, theirs), daemon=True)
        self._process.start()
        self.info: dict[str, Any] = self._pipe.recv()
        return self

    def set_limits(self, **limits: Any) -> None:
        self._pipe.send(("limits", limits))
        self._pipe.recv()

    def requests(self) -> int:
        """Requests the server has answered so far (every path the clients use)."""
        self._pipe.send(("count", None))
        return int(self._pipe.recv())

    def __exit__(self, *exc: object) -> None:
        self._pipe.send(("stop", None))
        self._process.join(timeout=30)
