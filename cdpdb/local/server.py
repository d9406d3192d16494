"""Serving an emulator's ASGI app: uvicorn listeners on 127.0.0.1 in background threads, on
free or given ports, with TLS from a throw-away CA, restartable on the same ports.

127.0.0.1 rather than localhost: some official connectors force IPv4.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from cdpdb.local.faults import InjectedReset


class _QuietResets(logging.Filter):
    """Injected resets and requests abandoned by their client (timeouts) are expected here;
    keep them out of uvicorn's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, (InjectedReset, asyncio.CancelledError)):
                return False
            exc = exc.__cause__ or exc.__context__ or (exc.exceptions[0] if hasattr(exc, "exceptions") else None)
        return True


class PortInUse(OSError):
    """A requested port is taken by another program: a plain message rather than ``[Errno 98]``,
    and the port, so a command line can name the option to change."""

    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} on 127.0.0.1 is already in use by another program")
        self.errno = errno.EADDRINUSE
        self.port = port


@dataclass(frozen=True)
class TlsFiles:
    """PEM files of a throw-away CA and of the server certificate it signed."""

    ca: str
    cert: str
    key: str


def self_signed(directory: Path, organization: str) -> TlsFiles:
    """A CA and a server certificate for 127.0.0.1 and localhost, written to ``directory``."""
    import trustme

    ca = trustme.CA(organization_name=organization)
    cert = ca.issue_cert("127.0.0.1", "localhost")
    files = TlsFiles(str(directory / "ca.pem"), str(directory / "server.pem"), str(directory / "server.key"))
    ca.cert_pem.write_to_path(files.ca)
    cert.private_key_and_cert_chain_pem.write_to_path(files.cert)
    cert.private_key_pem.write_to_path(files.key)
    return files


def bind(port: int = 0) -> socket.socket:
    """A TCP socket bound to 127.0.0.1:``port`` (0: a free one); :class:`PortInUse` if taken."""
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive response waits 40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(port) from None
        raise
    return sock


@dataclass
class _Listener:
    server: uvicorn.Server
    thread: threading.Thread
    port: int
    app: Any
    tls: TlsFiles | None


class Listeners:
    """The HTTP listeners of one emulator, in the order they were started."""

    def __init__(self, name: str) -> None:
        self.name = name  # for error messages and thread names
        self._listeners: list[_Listener] = []
        logging.getLogger("uvicorn.error").addFilter(_QuietResets())

    @property
    def ports(self) -> list[int]:
        return [listener.port for listener in self._listeners]

    def listen(self, app: Any, sock: socket.socket, tls: TlsFiles | None = None) -> int:
        """Serve ``app`` on the bound ``sock`` (over TLS with ``tls``) once it accepts requests."""
        self._listeners.append(self._start(app, sock, tls))
        return self._listeners[-1].port

    def _start(self, app: Any, sock: socket.socket, tls: TlsFiles | None) -> _Listener:
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            ssl_certfile=tls.cert if tls else None,
            ssl_keyfile=tls.key if tls else None,
        )
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # not the main thread
        port = sock.getsockname()[1]
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"cdpdb-local-{port}"
        )
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {self.name}'s HTTP server did not start")
            time.sleep(0.01)
        return _Listener(server, thread, port, app, tls)

    def restart(self, downtime: float = 0.0) -> None:
        """Stop every listener, wait ``downtime`` seconds, start them again on the same ports."""
        old = list(self._listeners)
        self.stop()
        time.sleep(downtime)
        self._listeners = [self._start(item.app, bind(item.port), item.tls) for item in old]

    def stop(self) -> None:
        for listener in self._listeners:
            listener.server.should_exit = True
            listener.server.force_exit = True  # idle TLS keep-alive clients would hold shutdown
        for listener in self._listeners:
            listener.thread.join(timeout=10)
        self._listeners = []
