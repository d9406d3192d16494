"""Starting and stopping the local Data Cloud: Hyper, the dataset, and two HTTP listeners.

The core host (OAuth, Connect API) listens over plain HTTP; the tenant host (Direct API: V1, V2,
V3, Metadata) over TLS with a certificate generated at start-up, because Salesforce's old
connector always calls ``https://{tenant}``. Both listen on 127.0.0.1 (that connector forces
IPv4) on free ports, and serve the same routes.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import uvicorn

from cdpdb.local.app import build_app
from cdpdb.local.backend import Backend, arrow_for_load, entity_from_arrow
from cdpdb.local.catalog import Catalog
from cdpdb.local.dataset import DEFAULT_DATASPACE, MARKETING_DATASPACE, generate
from cdpdb.local.engine import HyperEngine
from cdpdb.local.faults import FaultPlan, InjectedReset, Limits
from cdpdb.local.oauth import DemoCredentials, IdentityProvider
from cdpdb.local.results import ResultStore

log = logging.getLogger(__name__)


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


@dataclass
class _Listener:
    server: uvicorn.Server
    thread: threading.Thread
    port: int
    app: object
    ssl: dict


class LocalDataCloud:
    """A running local Data Cloud. Use :func:`serve` to get one."""

    def __init__(
        self,
        *,
        scale: int = 1000,
        seed: int = 42,
        tls: bool = True,
        workdir: str | None = None,
        token_lifetime: float = 7200.0,
        limits: Limits | None = None,
        dataset: bool = True,
        port: int = 0,
        tenant_port: int = 0,
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="cdpdb-local-")
        self.faults = FaultPlan(limits=limits or Limits())
        self.identity = IdentityProvider(token_lifetime=token_lifetime)
        self.admin_key = secrets.token_urlsafe(16)
        self.ca_path: str | None = None
        self._listeners: list[_Listener] = []
        self.engine = HyperEngine(workdir or Path(self._tmp.name) / "hyper")
        self.backend = Backend(
            self.engine, Catalog(), self.faults, self.identity, ResultStore(self.faults.limits.result_lifetime_seconds)
        )
        try:
            for dataspace in (DEFAULT_DATASPACE, MARKETING_DATASPACE):
                self.engine.create_database(dataspace)
            if dataset:
                started = time.perf_counter()
                for obj in generate(scale=scale, seed=seed):
                    self.backend.load(obj.entity, obj.table, obj.derived_sql)
                log.info("generated the CDP dataset (scale %d) in %.2f s", scale, time.perf_counter() - started)
            self._start(tls, port, tenant_port)
        except BaseException:
            self.close()
            raise

    # -- addresses and credentials ---------------------------------------------------------------

    @property
    def login_url(self) -> str:
        """Where OAuth starts (the ``login.salesforce.com`` of this server)."""
        return f"http://127.0.0.1:{self._listeners[0].port}"

    @property
    def tenant_url(self) -> str:
        """Base URL of the Direct API (``https://{tenant}``)."""
        scheme = "https" if self.ca_path else "http"
        return f"{scheme}://127.0.0.1:{self._listeners[-1].port}"

    @property
    def folder(self) -> Path:
        """The server's temporary folder (CA, TLS private key, Hyper files); :meth:`close` removes it."""
        return Path(self._tmp.name)

    @property
    def credentials(self) -> DemoCredentials:
        return self.identity.demo

    def connect_args(self, **overrides) -> dict:
        """Keyword arguments for ``cdpdb.connect()`` that log in to this server (password flow)."""
        creds = self.credentials
        args = {
            "login_url": self.login_url,
            "username": creds.username,
            "password": creds.password,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        }
        if self.ca_path:
            args["ca_bundle"] = self.ca_path
        args.update(overrides)
        return args

    def load(
        self, name: str, data, *, dataspaces=(DEFAULT_DATASPACE,), category: str | None = None, primary_keys=()
    ) -> None:
        """Load your own rows into an object (``Name__dll``, ``Name__dlm`` or ``Name__cio``).

        ``data`` may be a pyarrow Table, a pandas DataFrame, or a path to a CSV, Parquet, Arrow or
        Feather file.
        """
        table = _as_arrow(data)
        entity = entity_from_arrow(
            name, table, category=category, primary_keys=tuple(primary_keys), dataspaces=dataspaces
        )
        self.backend.load(entity, arrow_for_load(table))

    def expire_tokens(self) -> None:
        self.identity.expire_all()

    def expire_results(self) -> None:
        self.backend.results.expire_all()

    # -- lifecycle -------------------------------------------------------------------------------

    def _start(self, tls: bool, port: int, tenant_port: int) -> None:
        tenant_sock = None
        if tls:
            self.ca_path, cert, key = _self_signed(Path(self._tmp.name))
            tenant_sock = _bind(tenant_port)
            tenant_port = tenant_sock.getsockname()[1]
        try:
            core_sock = _bind(port)
        except OSError:
            if tenant_sock is not None:
                tenant_sock.close()
            raise
        core_port = core_sock.getsockname()[1]
        tenant_address = f"127.0.0.1:{tenant_port}" if tls else f"http://127.0.0.1:{core_port}"
        app = build_app(self.backend, tenant_address=tenant_address, admin_key=self.admin_key)
        logging.getLogger("uvicorn.error").addFilter(_QuietResets())
        self._listeners.append(self._listen(app, core_sock))
        if tls:
            self._listeners.append(self._listen(app, tenant_sock, certfile=cert, keyfile=key))

    def _listen(self, app, sock: socket.socket, **ssl) -> _Listener:
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            ssl_certfile=ssl.get("certfile"),
            ssl_keyfile=ssl.get("keyfile"),
        )
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # not the main thread
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"cdpdb-local-{sock.getsockname()[1]}"
        )
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the local Data Cloud's HTTP server did not start")
            time.sleep(0.01)
        return _Listener(server, thread, sock.getsockname()[1], app, ssl)

    def restart(self, downtime: float = 0.0) -> None:
        """Stop the HTTP listeners, wait ``downtime`` seconds, start them again on the same ports.

        Open connections drop, as in a server restart or a deployment; queries, results and tokens
        survive (Data Cloud keeps them outside the web tier).
        """
        old = list(self._listeners)
        self._stop_listeners()
        time.sleep(downtime)
        self._listeners = [self._listen(item.app, _bind(item.port), **item.ssl) for item in old]

    def _stop_listeners(self) -> None:
        for listener in self._listeners:
            listener.server.should_exit = True
            listener.server.force_exit = True  # idle TLS keep-alive clients would hold shutdown
        for listener in self._listeners:
            listener.thread.join(timeout=10)
        self._listeners = []

    def close(self) -> None:
        self._stop_listeners()
        self.backend.close()
        self.engine.close()
        self._tmp.cleanup()

    def __enter__(self) -> LocalDataCloud:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalDataCloud(login_url={self.login_url!r}, tenant_url={self.tenant_url!r})"


@contextmanager
def serve(**options) -> Iterator[LocalDataCloud]:
    """Run a local Data Cloud in background threads for the duration of a ``with`` block.

    Options: ``scale`` (source contacts; other objects scale with it), ``seed``, ``tls``,
    ``token_lifetime`` (seconds), ``limits`` (:class:`Limits`), ``dataset`` (False: empty),
    ``port`` and ``tenant_port`` (0: free ports).
    """
    cloud = LocalDataCloud(**options)
    try:
        yield cloud
    finally:
        cloud.close()


def _bind(port: int = 0) -> socket.socket:
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


def _self_signed(directory: Path) -> tuple[str, str, str]:
    """A throw-away CA and a server certificate for 127.0.0.1 and localhost."""
    import trustme

    ca = trustme.CA(organization_name="cdpdb local Data Cloud")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_path, cert_path, key_path = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca.cert_pem.write_to_path(str(ca_path))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_path))
    cert.private_key_pem.write_to_path(str(key_path))
    return str(ca_path), str(cert_path), str(key_path)


def _as_arrow(data) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if hasattr(data, "to_arrow"):  # polars
        return data.to_arrow()
    if type(data).__module__.startswith("pandas"):
        return pa.Table.from_pandas(data, preserve_index=False)
    path = Path(data)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import pyarrow.csv as csv

        return csv.read_csv(path)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if suffix in (".arrow", ".arrows", ".feather", ".ipc"):
        import pyarrow.feather as feather

        try:
            return feather.read_table(path)
        except pa.ArrowInvalid:
            with pa.memory_map(str(path)) as source:
                return pa.ipc.open_stream(source).read_all()
    raise ValueError(f"cannot load {path}: use a .csv, .parquet, .arrow or .feather file, a DataFrame or a Table")
