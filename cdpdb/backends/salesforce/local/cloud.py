"""Starting and stopping the local Data Cloud: Hyper, the dataset, and two HTTP listeners.

The core host (OAuth, Connect API) listens over plain HTTP; the tenant host (Direct API: V1, V2,
V3, Metadata) over TLS with a certificate generated at start-up, because Salesforce's old
connector always calls ``https://{tenant}``. Both serve the same routes.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.app import build_app
from cdpdb.backends.salesforce.local.backend import Backend, entity_from_arrow
from cdpdb.backends.salesforce.local.catalog import Catalog
from cdpdb.backends.salesforce.local.dataset import DATASPACES, generate
from cdpdb.backends.salesforce.local.identity import DemoCredentials, IdentityProvider
from cdpdb.backends.salesforce.local.limits import Limits
from cdpdb.backends.salesforce.local.results import QueryResult
from cdpdb.local.engine import HyperEngine
from cdpdb.local.faults import FaultPlan
from cdpdb.local.results import ResultStore
from cdpdb.local.server import Listeners, bind, self_signed
from cdpdb.local.tables import arrow_for_load, as_arrow

log = logging.getLogger(__name__)


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
        self._listeners = Listeners("local Data Cloud")
        self.engine = HyperEngine(workdir or Path(self._tmp.name) / "hyper")
        results = ResultStore(self.faults.limits.result_lifetime_seconds, QueryResult)
        self.backend = Backend(self.engine, self.faults, results, Catalog(), self.identity)
        try:
            for dataspace in DATASPACES:
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
        return f"http://127.0.0.1:{self._listeners.ports[0]}"

    @property
    def tenant_url(self) -> str:
        """Base URL of the Direct API (``https://{tenant}``)."""
        scheme = "https" if self.ca_path else "http"
        return f"{scheme}://127.0.0.1:{self._listeners.ports[-1]}"

    @property
    def folder(self) -> Path:
        """The server's temporary folder (CA, TLS private key, Hyper files); :meth:`close` removes it."""
        return Path(self._tmp.name)

    @property
    def credentials(self) -> DemoCredentials:
        return self.identity.demo

    def connect_args(self, **overrides: Any) -> dict[str, Any]:
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
        self,
        name: str,
        data: Any,
        *,
        dataspaces: Iterable[str] = (wire.DEFAULT_DATASPACE,),
        category: str | None = None,
        primary_keys: Iterable[str] = (),
    ) -> None:
        """Load your own rows into an object (``Name__dll``, ``Name__dlm`` or ``Name__cio``).

        ``data`` may be a pyarrow Table, a pandas DataFrame, or a path to a CSV, Parquet, Arrow or
        Feather file.
        """
        table = as_arrow(data)
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
        tenant_sock = certificates = None
        if tls:
            certificates = self_signed(self.folder, "cdpdb local Data Cloud")
            self.ca_path = certificates.ca
            tenant_sock = bind(tenant_port)
            tenant_port = tenant_sock.getsockname()[1]
        try:
            core_sock = bind(port)
        except OSError:
            if tenant_sock is not None:
                tenant_sock.close()
            raise
        core_port = core_sock.getsockname()[1]
        tenant_address = f"127.0.0.1:{tenant_port}" if tls else f"http://127.0.0.1:{core_port}"
        app = build_app(self.backend, tenant_address=tenant_address, admin_key=self.admin_key)
        self._listeners.listen(app, core_sock)
        if tenant_sock is not None:
            self._listeners.listen(app, tenant_sock, certificates)

    def restart(self, downtime: float = 0.0) -> None:
        """Stop the HTTP listeners, wait ``downtime`` seconds, start them again on the same ports.

        Open connections drop, as in a server restart or a deployment; queries, results and tokens
        survive (Data Cloud keeps them outside the web tier).
        """
        self._listeners.restart(downtime)

    def close(self) -> None:
        self._listeners.stop()
        self.backend.close()
        self.engine.close()
        self._tmp.cleanup()

    def __enter__(self) -> LocalDataCloud:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalDataCloud(login_url={self.login_url!r}, tenant_url={self.tenant_url!r})"


@contextmanager
def serve(**options: Any) -> Iterator[LocalDataCloud]:
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
