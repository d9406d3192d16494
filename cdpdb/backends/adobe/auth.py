"""Adobe IMS OAuth Server-to-Server: the client-credentials grant as a token source for core.auth.

There is no refresh token in this flow: a new token is simply asked for with the same
credentials, which :class:`~cdpdb.core.auth.TokenCache` does ahead of expiry and after a 401.
JWT service credentials are retired (January 2025), so they are not offered.
"""

from __future__ import annotations

import time

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.settings import Settings
from cdpdb.core.auth import Token
from cdpdb.core.http import HttpClient
from cdpdb.exceptions import OperationalError


class ImsLogin:
    """One call of ``POST /ims/token/v3`` per login (form body: the secret never goes in the URL)."""

    def __init__(self, settings: Settings, http: HttpClient) -> None:
        self.settings, self.http = settings, http

    def __call__(self) -> Token:
        s = self.settings
        body = self.http.call(
            "POST",
            s.ims_url.rstrip("/") + wire.IMS_TOKEN,
            what="logging in to Adobe IMS",
            data={
                "grant_type": wire.GRANT_CLIENT_CREDENTIALS,
                "client_id": s.client_id,
                "client_secret": s.client_secret,
                "scope": s.scopes,
            },
        )
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise OperationalError("Adobe IMS answered without an access_token", reason="bad_token_answer")
        lifetime = float(body.get("expires_in") or wire.TOKEN_LIFETIME_SECONDS)
        if lifetime > 10_000_000:  # older IMS endpoints gave milliseconds
            lifetime /= 1000
        return Token(str(token), s.base_url, time.monotonic() + lifetime)
