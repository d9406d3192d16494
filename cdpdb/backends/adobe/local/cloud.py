"""Starting and stopping the local Adobe: the generated store, IMS credentials, and one HTTPS
listener serving both IMS (``/ims/...``) and Platform (``/data/...``); ``ca_path`` is the file of
the CA generated at start-up, for clients to trust."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.app import build_app
from cdpdb.backends.adobe.local.ims import Ims
from cdpdb.backends.adobe.local.limits import Limits
from cdpdb.backends.adobe.local.requestlog import RequestLog
from cdpdb.backends.adobe.local.routes.common import Server
from cdpdb.backends.adobe.local.store import Store
from cdpdb.local.faults import FaultPlan
from cdpdb.local.server import Listeners, bind, self_signed

log = logging.getLogger(__name__)
ORG_ID = "C0FFEE0123456789ABCDEF01@AdobeOrg"


class LocalAdobe:
    """A running local Adobe. ``credential`` may use every sandbox; ``prod_only_credential`` only
    ``prod`` (its product profile does not grant ``dev``)."""

    def __init__(
        self, *, scale: int = 1000, seed: int = 42, tls: bool = True, port: int = 0, limits: Limits | None = None
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="cdpdb-adobe-")
        self.faults = FaultPlan(limits=limits or Limits())
        self.ca_path: str | None = None
        self._listeners = Listeners("local Adobe")
        self.ims = Ims()
        self.org_id = ORG_ID
        self.credential = self.ims.register(ORG_ID)
        self.prod_only_credential = self.ims.register(ORG_ID, frozenset({wire.DEFAULT_SANDBOX}))
        self.requests = RequestLog()
        self.scale, self.seed = scale, seed
        try:
            started = time.perf_counter()
            self.store = Store(scale, seed, ORG_ID)
            log.info("generated the Adobe dataset (scale %d) in %.2f s", scale, time.perf_counter() - started)
            self._start(tls, port)
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        """The base URL of both IMS and Platform here (``https://platform.adobe.io`` of this server)."""
        scheme = "https" if self.ca_path else "http"
        return f"{scheme}://127.0.0.1:{self._listeners.ports[0]}"

    @property
    def folder(self) -> Path:
        return Path(self._tmp.name)

    def connect_args(self, prod_only: bool = False, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``cdpdb.connect(backend="adobe", ...)`` that reach this server."""
        credential = self.prod_only_credential if prod_only else self.credential
        args: dict[str, Any] = {
            wire.SETTING_PLATFORM_URL: self.url,
            wire.SETTING_IMS_URL: self.url,
            wire.SETTING_CLIENT_ID: credential.client_id,
            wire.SETTING_CLIENT_SECRET: credential.client_secret,
            wire.SETTING_ORG_ID: credential.org_id,
        }
        if self.ca_path:
            args[wire.SETTING_CA_BUNDLE] = self.ca_path
        args.update(overrides)
        return args

    def _start(self, tls: bool, port: int) -> None:
        certificates = None
        if tls:
            certificates = self_signed(self.folder, "cdpdb local Adobe")
            self.ca_path = certificates.ca
        sock = bind(port)
        host = f"{self.org_id.split('@')[0].lower()}.platform-query.local"
        state = Server(self.store, self.ims, self.faults, self.requests, host)
        self._listeners.listen(build_app(state), sock, certificates)

    def restart(self, downtime: float = 0.0) -> None:
        self._listeners.restart(downtime)

    def close(self) -> None:
        self._listeners.stop()
        self._tmp.cleanup()

    def __enter__(self) -> LocalAdobe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalAdobe(url={self.url!r})"


@contextmanager
def serve(**options: Any) -> Iterator[LocalAdobe]:
    """A local Adobe in background threads for the duration of a ``with`` block. Options:
    ``scale`` (profiles of prod; dev has a tenth), ``seed``, ``tls``, ``port``, ``limits``."""
    server = LocalAdobe(**options)
    try:
        yield server
    finally:
        server.close()
