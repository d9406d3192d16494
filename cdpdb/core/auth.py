"""Tokens for any backend: a token with its lifetime, and a cache that logs in when needed.

A backend supplies a *token source* — one function that logs in (its own OAuth flows, its own
exchanges) and returns a :class:`Token`. :class:`TokenCache` holds the token per connection,
logs in again a minute before it expires or when asked (after a 401), and lets one thread at a
time do it. A :class:`TokenShelf` lets the connections of one process share their tokens, so
only the first connection with given credentials pays for the login's round trips.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

REFRESH_MARGIN = 60.0  # seconds before expiry when a token counts as expired


@dataclass(frozen=True)
class Token:
    value: str
    base_url: str  # where the token is used (the host the API calls go to)
    expires_at: float  # time.monotonic()

    def fresh(self) -> bool:
        return time.monotonic() < self.expires_at - REFRESH_MARGIN

    def __repr__(self) -> str:  # never the value
        return f"Token(base_url={self.base_url!r}, expires_in={self.expires_at - time.monotonic():.0f}s)"


TokenSource = Callable[[], Token]


class TokenShelf:
    """Fresh tokens by key, shared by the connections of a process. The key must stand for
    everything the token depends on, secrets included (as a digest: see :func:`shelf_key`), so a
    connection with other credentials never gets another's token."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Token | None:
        with self._lock:
            token = self._tokens.get(key)
            return token if token is not None and token.fresh() else None

    def put(self, key: str, token: Token) -> None:
        with self._lock:
            self._tokens[key] = token

    def discard(self, key: str, token: Token | None) -> None:
        """Forget ``token`` (the server refused it), unless another connection already replaced it."""
        with self._lock:
            if token is not None and self._tokens.get(key) == token:
                del self._tokens[key]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


#: The process's shelf: what ``token_cache='process'`` (the default where a backend offers it) uses.
PROCESS_TOKENS = TokenShelf()


class SecretStore(Protocol):
    """Where secrets outlive the process (a keyring, a file only the user can read)."""

    def load(self, key: str) -> str | None: ...
    def save(self, key: str, secret: str) -> None: ...
    def delete(self, key: str) -> bool: ...


class Shelf(Protocol):
    """Fresh tokens by key (see :class:`TokenShelf`)."""

    def get(self, key: str) -> Token | None: ...
    def put(self, key: str, token: Token) -> None: ...
    def discard(self, key: str, token: Token | None) -> None: ...


class KeptTokens:
    """The process's shelf, backed by a secret store, so that the next process with the same
    login takes the token too (opt-in: it puts a bearer token on disk or in the keyring until it
    expires). Expiry is kept as wall-clock time, the only clock processes share."""

    PREFIX = "token|"

    def __init__(self, store: SecretStore) -> None:
        self._store = store

    def get(self, key: str) -> Token | None:
        found = PROCESS_TOKENS.get(key)
        if found is not None:
            return found
        kept = _parse_kept(self._store.load(self.PREFIX + key))
        if kept is None or not kept.fresh():
            return None
        PROCESS_TOKENS.put(key, kept)
        return kept

    def put(self, key: str, token: Token) -> None:
        PROCESS_TOKENS.put(key, token)
        wall = time.time() + (token.expires_at - time.monotonic())
        kept = {"value": token.value, "base_url": token.base_url, "expires": wall}
        self._store.save(self.PREFIX + key, json.dumps(kept))

    def discard(self, key: str, token: Token | None) -> None:
        PROCESS_TOKENS.discard(key, token)
        kept = _parse_kept(self._store.load(self.PREFIX + key))
        if token is not None and kept is not None and kept.value == token.value:
            self._store.delete(self.PREFIX + key)


def _parse_kept(raw: str | None) -> Token | None:
    if not raw:
        return None
    try:
        kept = json.loads(raw)
        return Token(str(kept["value"]), str(kept["base_url"]), time.monotonic() + float(kept["expires"]) - time.time())
    except (ValueError, TypeError, KeyError):
        return None  # something else under the key: log in


def shelf_key(*parts: object) -> str:
    """A shelf key from a login's settings: a digest, so no secret is kept in a key."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class TokenCache:
    """The current token of one connection; ``login`` runs again only when it is missing or stale
    (or was refused). With a ``shelf``, a fresh token another connection left under ``key`` is
    taken instead of logging in, and each new login is left there for the next."""

    def __init__(self, login: TokenSource, shelf: Shelf | None = None, key: str = "") -> None:
        self._login = login
        self._shelf, self._key = shelf, key
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.logins = 0

    def token(self, refresh: bool = False) -> Token:
        with self._lock:
            if refresh and self._shelf is not None:
                self._shelf.discard(self._key, self._token)
            if not refresh and (self._token is None or not self._token.fresh()) and self._shelf is not None:
                self._token = self._shelf.get(self._key) or self._token
            if refresh or self._token is None or not self._token.fresh():
                self.logins += 1
                self._token = self._login()
                if self._shelf is not None:
                    self._shelf.put(self._key, self._token)
            return self._token

    def bearer(self, refresh: bool = False) -> str:
        """The token's value (a new login first when ``refresh``): what ``HttpClient.call`` asks for."""
        return self.token(refresh).value

    def base_url(self) -> str:
        return self.token().base_url
