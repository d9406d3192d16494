"""Tokens for any backend: a token with its lifetime, and a cache that logs in when needed.

A backend supplies a *token source* — one function that logs in (its own OAuth flows, its own
exchanges) and returns a :class:`Token`. :class:`TokenCache` holds the token per connection,
logs in again a minute before it expires or when asked (after a 401), and lets one thread at a
time do it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

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


class TokenCache:
    """The current token of one connection; ``login`` runs again only when it is missing or stale."""

    def __init__(self, login: TokenSource) -> None:
        self._login = login
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.logins = 0

    def token(self, refresh: bool = False) -> Token:
        with self._lock:
            if refresh or self._token is None or not self._token.fresh():
                self.logins += 1
                self._token = self._login()
            return self._token

    def bearer(self, refresh: bool = False) -> str:
        """The token's value (a new login first when ``refresh``): what ``HttpClient.call`` asks for."""
        return self.token(refresh).value

    def base_url(self) -> str:
        return self.token().base_url
