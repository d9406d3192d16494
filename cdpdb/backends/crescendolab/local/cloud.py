"""Starting and stopping the local Crescendo Lab: one listener (HTTPS with a CA generated at
start-up whose file ``ca_path`` clients trust, or plain HTTP), a token, and the contacts."""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from typing import Any

from cdpdb.backends.crescendolab import wire
from cdpdb.backends.crescendolab.local.app import Limits, Server, build_app
from cdpdb.backends.crescendolab.local.store import Contacts
from cdpdb.local.faults import FaultPlan
from cdpdb.local.service import LocalService


class LocalCrescendo(LocalService):
    """A running local Crescendo Lab. ``contacts`` is its store (fixtures, checks); ``requests``
    the log of (method, path, query) it answered, which proves what a client pushed down."""

    title = "local Crescendo Lab"
    folder_prefix = "cdpdb-crescendo-"

    def __init__(self, *, tls: bool = True, port: int = 0, limits: Limits | None = None) -> None:
        self.faults = FaultPlan(limits=limits or Limits())
        self.token = secrets.token_urlsafe(24)
        self.contacts = Contacts()
        self.server = Server({self.token}, self.faults, self.contacts)
        self.start(build_app(self.server), tls=tls, port=port)

    @property
    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        return self.server.requests

    def reset(self) -> None:
        """Forget contacts, tasks, files, the request log, the rate window, faults and miscounts."""
        self.contacts.__init__()  # type: ignore[misc]
        self.server.tasks.clear()
        self.server.files.clear()
        self.server.imports.clear()
        self.server.requests.clear()
        self.server.miscounts.clear()
        self.faults.clear()

    def miscount(self, *, created: int = 0, updated: int = 0, mismatched: int = 0, tasks: int = 1) -> None:
        """Make the next ``tasks`` successful import tasks report their counts off by these offsets
        (their rows are applied all the same): a report that does not add up to the rows sent, or
        whose mismatch list disagrees with its count, which a client must never take for success.
        Cleared by :meth:`reset`."""
        offsets = {wire.CREATED: created, wire.UPDATED: updated, wire.MISMATCH: mismatched}
        if not any(offsets.values()) or tasks < 1:
            raise ValueError("miscount needs a non-zero offset and at least one task")
        with self.server.lock:
            self.server.miscounts.extend([offsets] * tasks)

    def connect_args(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``cdpdb.connect(backend="crescendolab", ...)`` that reach this server,
        its rate window included (so a client paces to a shortened window too)."""
        args: dict[str, Any] = {
            wire.SETTING_BASE_URL: self.base_url,
            wire.SETTING_TOKEN: self.token,
            wire.SETTING_RATE_WINDOW: self.server.limits.rate_window_seconds,
        }
        if self.ca_path:
            args[wire.SETTING_CA_BUNDLE] = self.ca_path
        args.update(overrides)
        return args


def serve(**options: Any) -> AbstractContextManager[LocalCrescendo]:
    """Run a local Crescendo Lab in background threads for a ``with`` block. Options: ``tls``,
    ``port`` (0: a free one), ``limits`` (:class:`Limits`)."""
    return LocalCrescendo.serving(**options)
