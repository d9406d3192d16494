"""Starting and stopping the local Customer.io: one HTTPS listener (the API is HTTPS only; the
certificate comes from a CA generated at start-up, whose file ``ca_path`` clients trust), the
source keys, and what was received."""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from typing import Any

from cdpdb.backends.customerio import wire
from cdpdb.backends.customerio.local.app import Server, build_app
from cdpdb.backends.customerio.local.limits import Limits
from cdpdb.backends.customerio.local.ratelimit import Window
from cdpdb.backends.customerio.local.store import Received
from cdpdb.local.faults import FaultPlan
from cdpdb.local.service import LocalService


class LocalCustomerIo(LocalService):
    """A running local Customer.io. Use :func:`serve` to get one.

    ``api_key`` is the API key of its HTTP source (Basic auth); ``region_key`` a ``pk_us_`` key
    of the same source (Bearer). ``received()`` gives every call it accepted, once per messageId
    (with ``keep_calls=False`` only ``stats`` counts them)."""

    title = "local Customer.io"
    folder_prefix = "cdpdb-cio-"

    def __init__(
        self, *, tls: bool = True, port: int = 0, limits: Limits | None = None, keep_calls: bool = True
    ) -> None:
        self.faults = FaultPlan(limits=limits or Limits())
        self.admin_key = secrets.token_urlsafe(16)
        self.api_key = secrets.token_hex(10)  # source API keys are 20 hex digits (UNCONFIRMED)
        self.region_key = "pk_us_" + secrets.token_hex(12)
        self.received_store = Received(keep_calls)
        self.server = Server(
            {self.api_key, self.region_key}, self.admin_key, self.faults, self.received_store, Window()
        )
        self.start(build_app(self.server), tls=tls, port=port)

    @property
    def stats(self) -> dict[str, int]:
        """accepted, duplicates, rejected (strict), dropped_requests / dropped_calls (not strict),
        rate_limited, requests_processed."""
        return dict(self.received_store.stats)

    def received(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every call accepted (of one type, or all), in arrival order, once per messageId."""
        return self.received_store.read(kind)

    def clear(self) -> None:
        """Forget what was received (and the messageIds seen)."""
        self.received_store.clear()

    def connect_args(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``cdpdb.connect(backend="customerio", ...)`` that reach this server."""
        args: dict[str, Any] = {wire.SETTING_BASE_URL: self.base_url, wire.SETTING_API_KEY: self.api_key}
        if self.ca_path:
            args[wire.SETTING_CA_BUNDLE] = self.ca_path
        args.update(overrides)
        return args


def serve(**options: Any) -> AbstractContextManager[LocalCustomerIo]:
    """Run a local Customer.io in background threads for the duration of a ``with`` block.
    Options: ``tls``, ``port`` (0: a free one), ``limits`` (:class:`Limits`), ``keep_calls``
    (False: count calls and remember their ids only)."""
    return LocalCustomerIo.serving(**options)
