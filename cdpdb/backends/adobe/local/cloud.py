"""Starting and stopping the local Adobe: the generated store, IMS credentials, and one HTTPS
listener serving both IMS (``/ims/...``) and Platform (``/data/...``); ``ca_path`` is the file of
the CA generated at start-up, for clients to trust."""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager
from typing import Any

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.app import build_app
from cdpdb.backends.adobe.local.ims import Ims
from cdpdb.backends.adobe.local.limits import Limits
from cdpdb.backends.adobe.local.requestlog import RequestLog
from cdpdb.backends.adobe.local.routes.common import Server
from cdpdb.backends.adobe.local.store import Store
from cdpdb.local.faults import FaultPlan
from cdpdb.local.service import LocalService

log = logging.getLogger(__name__)
ORG_ID = "C0FFEE0123456789ABCDEF01@AdobeOrg"


class LocalAdobe(LocalService):
    """A running local Adobe. ``credential`` may use every sandbox; ``prod_only_credential`` only
    ``prod`` (its product profile does not grant ``dev``)."""

    title = "local Adobe"
    folder_prefix = "cdpdb-adobe-"

    def __init__(
        self, *, scale: int = 1000, seed: int = 42, tls: bool = True, port: int = 0, limits: Limits | None = None
    ) -> None:
        self.faults = FaultPlan(limits=limits or Limits())
        self.ims = Ims()
        self.org_id = ORG_ID
        self.credential = self.ims.register(ORG_ID)
        self.prod_only_credential = self.ims.register(ORG_ID, frozenset({wire.DEFAULT_SANDBOX}))
        self.requests = RequestLog()
        self.scale, self.seed = scale, seed
        started = time.perf_counter()
        self.store = Store(scale, seed, ORG_ID)
        log.info("generated the Adobe dataset (scale %d) in %.2f s", scale, time.perf_counter() - started)
        host = f"{self.org_id.split('@')[0].lower()}.platform-query.local"
        state = Server(self.store, self.ims, self.faults, self.requests, host)
        self.start(build_app(state), tls=tls, port=port)

    @property
    def url(self) -> str:
        """The base URL of both IMS and Platform here (``https://platform.adobe.io`` of this server)."""
        return self.base_url

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


def serve(**options: Any) -> AbstractContextManager[LocalAdobe]:
    """A local Adobe in background threads for the duration of a ``with`` block. Options:
    ``scale`` (profiles of prod; dev has a tenth), ``seed``, ``tls``, ``port``, ``limits``."""
    return LocalAdobe.serving(**options)
