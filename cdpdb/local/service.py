"""The life cycle of an emulator with one listener: a temporary folder, HTTPS with a CA made at
start-up (or plain HTTP), an address, a clean stop; and the servers started on first use in this
process for ``<backend>://local`` URLs.

A backend's emulator subclasses :class:`LocalService`, builds its own state and app, then calls
:meth:`LocalService.start`; what it adds (keys, stores, ``connect_args``) stays its own."""

from __future__ import annotations

import atexit
import tempfile
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from cdpdb.local.server import Listeners, bind, self_signed

Service = TypeVar("Service", bound="LocalService")
Started = TypeVar("Started")


class LocalService:
    """A running emulator on one listener. ``title`` names it in logs and its certificate
    ("local <product>"); ``folder_prefix`` names its temporary folder (keys, files)."""

    title = "local emulator"
    folder_prefix = "cdpdb-local-"

    ca_path: str | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None  # both made by start()
    _listeners: Listeners | None = None

    def start(self, app: Any, *, tls: bool, port: int) -> None:
        """Make the folder, the certificates (with ``tls``) and the listener on ``port`` (0: a free
        one) serving ``app``; on any failure, everything made so far is removed again."""
        self._tmp = tempfile.TemporaryDirectory(prefix=self.folder_prefix)
        self._listeners = Listeners(self.title)
        try:
            certificates = self_signed(self.folder, f"cdpdb {self.title}") if tls else None
            self.ca_path = certificates.ca if certificates else None
            self._listeners.listen(app, bind(port), certificates)
        except BaseException:
            self.close()
            raise

    @property
    def folder(self) -> Path:
        assert self._tmp is not None, "not started"
        return Path(self._tmp.name)

    @property
    def base_url(self) -> str:
        assert self._listeners is not None, "not started"
        scheme = "https" if self.ca_path else "http"
        return f"{scheme}://127.0.0.1:{self._listeners.ports[0]}"

    def restart(self, downtime: float = 0.0) -> None:
        """Stop listening for ``downtime`` seconds, then listen on the same port again."""
        assert self._listeners is not None, "not started"
        self._listeners.restart(downtime)

    def close(self) -> None:
        """Stop and remove what start() made; safe again, and before start() (a set-up that failed)."""
        if self._listeners is not None:
            self._listeners.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self: Service) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @classmethod
    @contextmanager
    def serving(cls: type[Service], **options: Any) -> Iterator[Service]:
        """Run one in background threads for a ``with`` block (started on entry, closed on exit)."""
        service = cls(**options)
        try:
            yield service
        finally:
            service.close()


class EmbeddedServers(Generic[Started]):
    """The emulators a process starts for its ``<backend>://local`` URLs: one per key (a dataset's
    scale and seed, or ``()``), started on first use by ``start(key)`` and closed at exit; threads
    asking at once share one."""

    def __init__(self, start: Callable[[Any], Started]) -> None:
        self._start = start
        self._lock = threading.Lock()
        self._servers: dict[Hashable, Started] = {}

    def get(self, key: Hashable = ()) -> Started:
        with self._lock:
            if key not in self._servers:
                server = self._start(key)
                atexit.register(server.close)  # type: ignore[attr-defined]
                self._servers[key] = server
            return self._servers[key]
