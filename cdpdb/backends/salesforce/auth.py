"""Credentials → tokens: Salesforce's OAuth flows and the a360 exchange.

:class:`SalesforceLogin` is the token source of a Data Cloud session (the cache around it is
:class:`cdpdb.core.auth.TokenCache`): it logs in with the configured flow, then exchanges the
core token for a Data Cloud token (Direct APIs) or keeps the core token (Connect API).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import jwt

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.core.auth import Token, TokenCache
from cdpdb.core.http import HttpClient
from cdpdb.exceptions import DatabaseError, OperationalError

log = logging.getLogger(__name__)


def token_cache(settings: Settings, http: HttpClient) -> TokenCache:
    """The tokens of one connection: logged in with ``settings``' flow, cached until stale."""
    return TokenCache(SalesforceLogin(settings, http))


class SalesforceLogin:
    """One login with the configured flow (a token source for :class:`TokenCache`)."""

    def __init__(self, settings: Settings, http: HttpClient) -> None:
        self.settings, self.http = settings, http

    def __call__(self) -> Token:
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
                "grant_type": wire.PASSWORD_GRANT,
                "client_id": s.client_id,
                "client_secret": s.client_secret,
                "username": s.username,
                "password": s.password,
            },
            "jwt": lambda: {"grant_type": wire.JWT_GRANT, "assertion": self._assertion()},
            "refresh_token": lambda: {
                "grant_type": wire.REFRESH_GRANT,
                "client_id": s.client_id,
                "refresh_token": s.refresh_token,
                **({"client_secret": s.client_secret} if s.client_secret else {}),
            },
            "client_credentials": lambda: {
                "grant_type": wire.CLIENT_CREDENTIALS_GRANT,
                "client_id": s.client_id,
                "client_secret": s.client_secret,
            },
        }[s.auth]()
        started = time.monotonic()
        body = self._call(f"{s.login_url}{wire.TOKEN_PATH}", fields, f"login ({s.auth} flow) at {s.login_url}")
        token, instance = _field(body, "access_token", "login"), _field(body, "instance_url", "login")
        lifetime = float(body.get("expires_in") or wire.CORE_TOKEN_LIFETIME)
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
        fields = {
            "grant_type": wire.CDP_GRANT,
            "subject_token_type": wire.ACCESS_TOKEN_TYPE,
            "subject_token": core.value,
        }
        if self.settings.dataspace:
            fields["dataspace"] = self.settings.dataspace
        started = time.monotonic()
        try:
            body = self._call(
                f"{core.base_url}{wire.EXCHANGE_PATH}",
                fields,
                f"the Data Cloud token exchange ({wire.EXCHANGE_PATH})",
                safe=False,
            )
        except OperationalError as exc:
            if exc.reason == "html_answer":
                raise OperationalError(
                    "the Data Cloud token exchange answered with an HTML page instead of a token: Salesforce does "
                    "this when a core token is exchanged a second time, or when the connected app lacks the "
                    "cdp_query_api and api scopes or Data Cloud is not enabled for the user; log in again and "
                    "check the connected app",
                    reason="html_answer",
                ) from None
            raise
        token = _field(body, "access_token", "token exchange")
        instance = _with_scheme(_field(body, "instance_url", "token exchange"))
        expires_in = float(body.get("expires_in") or wire.CORE_TOKEN_LIFETIME)
        return Token(token, instance, started + expires_in)

    def _call(self, url: str, fields: dict[str, Any], what: str, safe: bool = True) -> dict[str, Any]:
        """An OAuth call: whatever goes wrong is an authentication problem (OperationalError)."""
        try:
            return self.http.call("POST", url, data=fields, safe=safe, what=what)
        except DatabaseError as exc:
            if isinstance(exc, OperationalError):
                raise
            raise OperationalError(
                exc.message, status=exc.status, request_id=exc.request_id, reason=exc.reason or "unauthorised"
            ) from None

    def _revoke(self, core: Token) -> None:
        try:
            self.http.call(
                "POST",
                f"{core.base_url}{wire.REVOKE_PATH}",
                data={"token": core.value},
                expect="none",
                what="revoking the core token",
            )
        except Exception as exc:  # revocation is hygiene; a failure must not fail the connection
            log.debug("could not revoke the core token: %s", type(exc).__name__)


def _field(body: Any, name: str, step: str) -> str:
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
        return time.monotonic() + wire.CORE_TOKEN_LIFETIME
    return time.monotonic() + (float(exp) - time.time())
