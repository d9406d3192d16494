"""Credentials → tokens: the OAuth flows, the a360 exchange, caching and refresh.

A connection holds one :class:`TokenProvider`. It logs in with the configured flow, exchanges
the core token for a Data Cloud token (Direct APIs) or keeps the core token (Connect API),
caches it until a minute before it expires, and logs in again when asked (after a 401).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import jwt

from .exceptions import DatabaseError, OperationalError
from .http import HttpClient
from .settings import Settings

log = logging.getLogger(__name__)

CDP_GRANT = "urn:salesforce:grant-type:external:cdp"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
REFRESH_MARGIN = 60.0  # seconds before expiry when a token counts as expired
CORE_TOKEN_LIFETIME = 7200.0  # Salesforce does not say; the official clients assume two hours


@dataclass(frozen=True)
class Token:
    value: str
    base_url: str  # where the token is used: the core instance or the Data Cloud tenant
    expires_at: float

    def fresh(self) -> bool:
        return time.monotonic() < self.expires_at - REFRESH_MARGIN

    def __repr__(self) -> str:
        return f"Token(base_url={self.base_url!r}, expires_in={self.expires_at - time.monotonic():.0f}s)"


class TokenProvider:
    def __init__(self, settings: Settings, http: HttpClient) -> None:
        self.settings, self.http = settings, http
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.logins = 0

    def token(self, refresh: bool = False) -> Token:
        """The token for this connection's API, logging in when there is none or it is stale."""
        with self._lock:
            if refresh or self._token is None or not self._token.fresh():
                self._token = self._login()
            return self._token

    def bearer(self, refresh: bool = False) -> str:
        return self.token(refresh).value

    def base_url(self) -> str:
        return self.token().base_url

    # -- flows --------------------------------------------------------------------------------

    def _login(self) -> Token:
        self.logins += 1
        settings = self.settings
        if settings.auth == "token":
            return Token(settings.token, _with_scheme(settings.tenant_url), _jwt_expiry(settings.token))
        core = self._core_token()
        if settings.api == "connect":
            return core
        try:
            return self._exchange(core)
        finally:
            if settings.revoke_core_token:
                self._revoke(core)

    def _core_token(self) -> Token:
        s = self.settings
        fields = {
            "password": lambda: {
                "grant_type": "password",
                "client_id": s.client_id,
                "client_secret": s.client_secret,
                "username": s.username,
                "password": s.password,
            },
            "jwt": lambda: {"grant_type": JWT_GRANT, "assertion": self._assertion()},
            "refresh_token": lambda: {
                "grant_type": "refresh_token",
                "client_id": s.client_id,
                "refresh_token": s.refresh_token,
                **({"client_secret": s.client_secret} if s.client_secret else {}),
            },
            "client_credentials": lambda: {
                "grant_type": "client_credentials",
                "client_id": s.client_id,
                "client_secret": s.client_secret,
            },
        }[s.auth]()
        started = time.monotonic()
        body = self._call(f"{s.login_url}/services/oauth2/token", fields, f"login ({s.auth} flow) at {s.login_url}")
        token, instance = _field(body, "access_token", "login"), _field(body, "instance_url", "login")
        lifetime = float(body.get("expires_in") or CORE_TOKEN_LIFETIME)
        log.debug("logged in with the %s flow", s.auth)
        return Token(token, instance.rstrip("/"), started + lifetime)

    def _assertion(self) -> str:
        s = self.settings
        claims = {"iss": s.client_id, "sub": s.username, "aud": s.login_url, "exp": int(time.time()) + 300}
        try:
            return jwt.encode(claims, s.private_key, algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise OperationalError(
                f"cannot sign the JWT login with private_key: {type(exc).__name__}; give an RSA private key in PEM form"
            ) from None

    def _exchange(self, core: Token) -> Token:
        fields = {"grant_type": CDP_GRANT, "subject_token_type": ACCESS_TOKEN_TYPE, "subject_token": core.value}
        if self.settings.dataspace:
            fields["dataspace"] = self.settings.dataspace
        started = time.monotonic()
        try:
            body = self._call(
                f"{core.base_url}/services/a360/token",
                fields,
                "the Data Cloud token exchange (/services/a360/token)",
                safe=False,
            )
        except OperationalError as exc:
            if "HTML page" in str(exc):
                raise OperationalError(
                    "the Data Cloud token exchange answered with an HTML page instead of a token: Salesforce does "
                    "this when a core token is exchanged a second time, or when the connected app lacks the "
                    "cdp_query_api and api scopes or Data Cloud is not enabled for the user; log in again and "
                    "check the connected app"
                ) from None
            raise
        token = _field(body, "access_token", "token exchange")
        instance = _with_scheme(_field(body, "instance_url", "token exchange"))
        expires_in = float(body.get("expires_in") or 7200)
        return Token(token, instance, started + expires_in)

    def _call(self, url: str, fields: dict, what: str, safe: bool = True) -> dict:
        """An OAuth call: whatever goes wrong is an authentication problem (OperationalError)."""
        try:
            return self.http.call("POST", url, data=fields, safe=safe, what=what)
        except DatabaseError as exc:
            if isinstance(exc, OperationalError):
                raise
            raise OperationalError(exc.message, status=exc.status, request_id=exc.request_id) from None

    def _revoke(self, core: Token) -> None:
        try:
            self.http.call(
                "POST",
                f"{core.base_url}/services/oauth2/revoke",
                data={"token": core.value},
                expect="none",
                what="revoking the core token",
            )
        except Exception as exc:  # revocation is hygiene; a failure must not fail the connection
            log.debug("could not revoke the core token: %s", type(exc).__name__)


def _field(body, name: str, step: str) -> str:
    if not isinstance(body, dict) or not body.get(name):
        raise OperationalError(f"the {step} answer has no {name}; is login_url a Salesforce login host?")
    return str(body[name])


def _with_scheme(url: str) -> str:
    """The a360 exchange returns the tenant as a bare host; some clients and docs add https://."""
    url = url.rstrip("/")
    return url if "://" in url else f"https://{url}"


def _jwt_expiry(token: str) -> float:
    """A Data Cloud token is a JWT: its ``exp`` claim says when it expires."""
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        exp = None
    if not exp:
        return time.monotonic() + CORE_TOKEN_LIFETIME
    return time.monotonic() + (float(exp) - time.time())
