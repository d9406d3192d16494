"""The local IMS: OAuth Server-to-Server credentials (client id, secret, organisation, the
sandboxes its product profile grants) and the access tokens issued for them."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Credential:
    client_id: str
    client_secret: str
    org_id: str
    sandboxes: frozenset[str] | None  # None: every sandbox


@dataclass(frozen=True)
class Grant:
    credential: Credential
    expires_at: float  # time.monotonic()


class Ims:
    def __init__(self) -> None:
        self.credentials: dict[str, Credential] = {}
        self._tokens: dict[str, Grant] = {}
        self._lock = threading.Lock()
        self.issued = 0

    def register(self, org_id: str, sandboxes: frozenset[str] | None = None) -> Credential:
        credential = Credential(secrets.token_hex(16), "p8e-" + secrets.token_urlsafe(24), org_id, sandboxes)
        self.credentials[credential.client_id] = credential
        return credential

    def grant(self, client_id: str, client_secret: str, lifetime: int) -> str | None:
        found = self.credentials.get(client_id)
        if found is None or not secrets.compare_digest(found.client_secret, client_secret):
            return None
        token = "eyJ" + secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[token] = Grant(found, time.monotonic() + lifetime)
            self.issued += 1
        return token

    def check(self, token: str) -> Credential | None:
        with self._lock:
            grant = self._tokens.get(token)
        if grant is None or time.monotonic() >= grant.expires_at:
            return None
        return grant.credential

    def expire_all(self) -> None:
        """Every token issued so far stops working (a test of the client's re-login)."""
        with self._lock:
            self._tokens.clear()
