"""Statements in a dataspace other than the connection's own.

Data Cloud takes the dataspace per request (V3 and the Metadata API: header
``ctx-dataspace-ds_name``; Connect: header ``dataspace``) and a Data Cloud token may be scoped
to one dataspace by the a360 exchange (the connection's ``dataspace`` setting asks for that). So
a statement routed to another dataspace runs on that dataspace's own protocol: the same
settings with ``dataspace`` replaced, and, for the Direct APIs (V1, V2, V3, Metadata), a token
exchanged for that dataspace (one more login, on first use). Connect uses the core token, which
no dataspace scopes: only its header changes. Nothing here reads or edits SQL text.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.auth import token_cache
from cdpdb.backends.salesforce.query import protocol_for
from cdpdb.backends.salesforce.query.base import Protocol
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.core.auth import TokenCache
from cdpdb.core.chores import Chores
from cdpdb.core.http import HttpClient


class Dataspaces:
    """The protocols and Direct API tokens of one connection, per dataspace, made on first use."""

    def __init__(
        self, settings: Settings, http: HttpClient, tokens: TokenCache, protocol: Protocol, chores: Chores
    ) -> None:
        self.settings, self.http, self.chores = settings, http, chores
        self.own = settings.dataspace or wire.DEFAULT_DATASPACE
        self._tokens = tokens  # the connection's: Data Cloud tokens, or core tokens with api='connect'
        self._protocols: dict[str, Protocol] = {self.own: protocol}
        self._direct: dict[str, TokenCache] = {} if settings.api == "connect" else {self.own: tokens}
        self._lock = threading.Lock()

    def is_own(self, dataspace: str | None) -> bool:
        return dataspace is None or dataspace == self.own

    def protocol(self, dataspace: str | None) -> Protocol:
        """The protocol that runs statements in ``dataspace`` (``None``: the connection's own)."""
        name = dataspace or self.own
        with self._lock:
            if name not in self._protocols:
                scoped = replace(self.settings, dataspace=name)
                tokens = self._tokens if self.settings.api == "connect" else self._direct_locked(name)
                self._protocols[name] = protocol_for(scoped, self.http, tokens)
            return self._protocols[name]

    def others(self) -> list[Protocol]:
        """The protocols of the other dataspaces used so far (a cancel by query id asks each)."""
        with self._lock:
            return [p for name, p in self._protocols.items() if name != self.own]

    def direct_tokens(self, dataspace: str | None) -> TokenCache:
        """Data Cloud tokens for the Direct APIs in ``dataspace``. A Connect connection's core
        token cannot call them, so it logs in once more for a Data Cloud token."""
        with self._lock:
            return self._direct_locked(dataspace or self.own)

    def _direct_locked(self, name: str) -> TokenCache:
        if name not in self._direct:
            # The connection's own dataspace keeps its setting (None: an unscoped token).
            dataspace = self.settings.dataspace if name == self.own else name
            self._direct[name] = token_cache(
                replace(self.settings, api="v3", dataspace=dataspace), self.http, self.chores
            )
        return self._direct[name]
