"""Starting and stopping the local Treasure Data: DuckDB with the dataset, the API keys, and one
HTTPS listener (TD's API is HTTPS only; the certificate comes from a CA generated at start-up,
whose file ``ca_path`` is for clients to trust)."""

from __future__ import annotations

import logging
import secrets
import time
from contextlib import AbstractContextManager
from typing import Any

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.local.app import build_app
from cdpdb.backends.treasuredata.local.backend import Backend
from cdpdb.backends.treasuredata.local.dataset import ANCHOR, generate
from cdpdb.backends.treasuredata.local.dataset.common import ADMIN, MARKETER, WRITER
from cdpdb.backends.treasuredata.local.keys import MASTER, WRITE_ONLY, Keys
from cdpdb.backends.treasuredata.local.limits import Limits
from cdpdb.backends.treasuredata.local.rulesql import DuckDialect
from cdpdb.backends.treasuredata.local.store import Store
from cdpdb.local.duckengine import DuckEngine
from cdpdb.local.faults import FaultPlan
from cdpdb.local.service import LocalService

log = logging.getLogger(__name__)


class LocalTreasureData(LocalService):
    """A running local Treasure Data. Use :func:`serve` to get one.

    ``apikey`` is a master key of the demo admin, ``other_apikey`` a master key of another user
    (segment queries belong to the key's user), ``write_only_apikey`` a write-only key (refused
    by the Audience API with 403). ``frozen_now`` pins the clock rules see to the dataset's day
    (so "the last 30 days" selects the same profiles every run); False: the real clock."""

    title = "local Treasure Data"
    folder_prefix = "cdpdb-td-"

    def __init__(
        self,
        *,
        scale: int = 1000,
        seed: int = 42,
        tls: bool = True,
        port: int = 0,
        limits: Limits | None = None,
        workdir: str | None = None,
        frozen_now: bool = True,
    ) -> None:
        self.faults = FaultPlan(limits=limits or Limits())
        self.admin_key = secrets.token_urlsafe(16)
        self.engine = DuckEngine(workdir)
        self.keys = Keys()
        self.apikey = self.keys.issue(ADMIN, MASTER)
        self.other_apikey = self.keys.issue(MARKETER, MASTER)
        self.write_only_apikey = self.keys.issue(WRITER, WRITE_ONLY)
        try:
            self.store = Store(self.engine, DuckDialect(ANCHOR if frozen_now else None))
            started = time.perf_counter()
            self.store.load(generate(scale=scale, seed=seed))
            log.info("generated the Treasure Data dataset (scale %d) in %.2f s", scale, time.perf_counter() - started)
            self.backend = Backend(self.engine, self.faults, self.store, self.keys)
            self.start(build_app(self.backend, admin_key=self.admin_key), tls=tls, port=port)
        except BaseException:
            self.close()
            raise

    @property
    def site_url(self) -> str:
        """The base URL of the Audience API (the ``https://api-cdp.treasuredata.com`` of this server)."""
        return self.base_url

    def connect_args(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``cdpdb.connect(backend="treasuredata", ...)`` that reach this
        server; with ``trino=True`` its Trino endpoint (the same listener) as ``trino_host``."""
        args: dict[str, Any] = {wire.SETTING_SITE_URL: self.site_url, wire.SETTING_APIKEY: self.apikey}
        if self.ca_path:
            args[wire.SETTING_CA_BUNDLE] = self.ca_path
        if overrides.get(wire.SETTING_TRINO) and wire.SETTING_TRINO_HOST not in overrides:
            args[wire.SETTING_TRINO_HOST] = self.site_url  # this server is TD's Trino endpoint too
        args.update(overrides)
        return args

    def expire_results(self) -> None:
        if hasattr(self, "backend"):
            self.backend.results.expire_all()
            self.backend.trino.expire_all()

    def close(self) -> None:
        super().close()
        if hasattr(self, "backend"):
            self.backend.close()
        self.engine.close()


def serve(**options: Any) -> AbstractContextManager[LocalTreasureData]:
    """Run a local Treasure Data in background threads for the duration of a ``with`` block.

    Options: ``scale`` (profiles of "Customers JP"), ``seed``, ``tls``, ``port`` (0: a free one),
    ``limits`` (:class:`Limits`), ``workdir`` (DuckDB file; default in memory), ``frozen_now``.
    """
    return LocalTreasureData.serving(**options)
