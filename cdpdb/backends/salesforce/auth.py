"""Credentials → tokens: Salesforce's OAuth flows and the a360 exchange.

:class:`SalesforceLogin` is the token source of a Data Cloud session (the cache around it is
:class:`cdpdb.core.auth.TokenCache`): it logs in with the configured flow, then exchanges the
core token for a Data Cloud token (Direct APIs) or keeps the core token (Connect API).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from cdpdb.backends.salesforce import browser, loginerrors, sfcli, wire
from cdpdb.backends.salesforce.errors import OAuthError
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.backends.salesforce.tokenstore import TokenStore, store_key
from cdpdb.core.auth import PROCESS_TOKENS, KeptTokens, Token, TokenCache, shelf_key
from cdpdb.core.chores import Chores
from cdpdb.core.http import HttpClient
from cdpdb.exceptions import DatabaseError, OperationalError

log = logging.getLogger(__name__)


def token_cache(settings: Settings, http: HttpClient, chores: Chores | None = None) -> TokenCache:
    """The tokens of one connection: logged in with ``settings``' flow, cached until stale, and
    shared with the process's other connections of the same login (``token_cache='process'``),
    or also with later processes through the token store (``'store'``)."""
    login = SalesforceLogin(settings, http, chores)
    if settings.token_cache == "off" or settings.auth == "token":
        return TokenCache(login)
    if settings.token_cache == "store":  # opt-in: other processes take it too
        return TokenCache(login, KeptTokens(login.store()), login_key(settings))
    return TokenCache(login, PROCESS_TOKENS, login_key(settings))


def login_key(settings: Settings) -> str:
    """Everything a Data Cloud or core token depends on: where and how the login ran, with which
    credentials, for which API and dataspace (a digest: see :func:`shelf_key`)."""
    s = settings
    return shelf_key(
        s.login_url,
        s.auth,
        s.api == "connect",  # a core token; any other API: a Data Cloud token
        s.dataspace,
        s.client_id,
        s.username,
        s.password,
        s.client_secret,
        s.private_key,
        s.refresh_token,
        s.sf_org,
        s.revoke_core_token,
    )


class SalesforceLogin:
    """One login with the configured flow (a token source for :class:`TokenCache`). With
    ``chores``, the spent core token is revoked in the background, off the caller's path."""

    def __init__(self, settings: Settings, http: HttpClient, chores: Chores | None = None) -> None:
        self.settings, self.http, self.chores = settings, http, chores
        self._refresh_token: str | None = None  # the browser login's, once known

    def __call__(self) -> Token:
        settings = self.settings
        if settings.auth == "token":
            return Token(settings.token, _with_scheme(settings.tenant_url), _jwt_expiry(settings.token))
        if settings.auth == "sf_org":
            core = self._sf_core()
        elif settings.auth == "browser":
            core = self._browser_core()
        else:
            core = self._core_token()
        return self.finish(core)

    def finish(self, core: Token) -> Token:
        """A core token → the token the chosen API needs (the a360 exchange for the Direct APIs)."""
        settings = self.settings
        if settings.api == "connect":
            return core
        try:
            return self._exchange(core)
        finally:
            if settings.revoke_core_token and settings.auth != "sf_org":  # the CLI's token stays the CLI's
                if self.chores is None:
                    self._revoke(core)
                else:
                    self.chores.run(lambda: self._revoke(core))

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
        return self._grant(fields, s.auth)

    def _grant(self, fields: dict[str, Any], flow: str) -> Token:
        """One token request at the login host; the answer's scopes are checked before any use."""
        s = self.settings
        started = time.monotonic()
        body = self._call(
            f"{s.login_url}{wire.TOKEN_PATH}",
            fields,
            f"login ({flow} flow) at {s.login_url}",
            grant=fields["grant_type"],
        )
        token, instance = _field(body, "access_token", "login"), _field(body, "instance_url", "login")
        missing = loginerrors.missing_scopes(body.get("scope") if isinstance(body.get("scope"), str) else None)
        if missing:
            raise loginerrors.scopes_error(missing)
        if flow == "browser" and body.get("refresh_token"):
            self._keep_refresh_token(str(body["refresh_token"]))
        lifetime = float(body.get("expires_in") or wire.CORE_TOKEN_LIFETIME)
        log.debug("logged in with the %s flow", flow)
        return Token(token, instance.rstrip("/"), started + lifetime)

    # -- reusing a Salesforce CLI login ------------------------------------------------------------

    def _sf_core(self) -> Token:
        started = time.monotonic()
        login = sfcli.org_display(str(self.settings.sf_org))
        # sf refreshes its token when it is stale; ours is asked for again when this one expires
        return Token(login.access_token, login.instance_url, started + wire.CORE_TOKEN_LIFETIME)

    # -- the browser login -------------------------------------------------------------------------

    def store(self) -> TokenStore:
        return TokenStore(self.settings.token_store, self.settings.token_dir)

    def _key(self) -> str:
        return store_key(self.settings.login_url, str(self.settings.client_id))

    def _browser_core(self) -> Token:
        """A stored refresh token, silently; else (or when it was revoked) the browser."""
        s = self.settings
        refresh = self._refresh_token or self.store().load(self._key())
        if refresh:
            fields = {"grant_type": wire.REFRESH_GRANT, "client_id": s.client_id, "refresh_token": refresh}
            if s.client_secret:
                fields["client_secret"] = s.client_secret
            try:
                return self._grant(fields, "browser")
            except OperationalError as exc:
                if exc.reason != "invalid_grant":
                    raise
                log.info("the stored browser login was refused (expired or revoked); logging in again")
                self._refresh_token = None
                self.store().delete(self._key())
        return self.browser_login()

    def browser_login(self, announce: Callable[[str], None] | None = None) -> Token:
        """Run the browser login now (``cdpdb login``), keep its refresh token, return the core token."""
        s = self.settings
        authorization = browser.authorize(
            s.login_url,
            str(s.client_id),
            s.callback_url,
            " ".join(wire.DATA_CLOUD_SCOPES),
            s.login_timeout,
            open_browser=s.open_browser,
            announce=announce or _announce,
        )
        fields = {
            "grant_type": wire.AUTHORIZATION_CODE_GRANT,
            "code": authorization.code,
            "client_id": s.client_id,
            "redirect_uri": authorization.redirect_uri,
            "code_verifier": authorization.verifier,
        }
        if s.client_secret:
            fields["client_secret"] = s.client_secret
        token = self._grant(fields, "browser")
        if self._refresh_token is None:
            log.warning(
                "the browser login gave no refresh token, so the next connection opens the browser again: "
                "add the refresh_token scope to the External Client App"
            )
        return token

    def _keep_refresh_token(self, refresh: str) -> None:
        if refresh == self._refresh_token:
            return
        self._refresh_token = refresh
        store = self.store()
        store.save(self._key(), refresh)
        log.info("browser login kept in %s", store.where)

    def _assertion(self) -> str:
        import jwt  # only the JWT flow signs: the import (~60 ms) stays off every other connect()

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
        except OAuthError as exc:
            raise self._hint_sf(loginerrors.exchange_failed(exc)) from None
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

    def _hint_sf(self, error: OperationalError) -> OperationalError:
        if self.settings.auth == "sf_org" and error.reason == "unauthorised":
            return OperationalError(
                f"{error.message}; the Salesforce CLI's session may have expired: run "
                f"'sf org login web --alias {self.settings.sf_org}'",
                status=error.status,
                reason="sf_session_expired",
            )
        return error

    def _call(
        self, url: str, fields: dict[str, Any], what: str, safe: bool = True, grant: str | None = None
    ) -> dict[str, Any]:
        """An OAuth call: whatever goes wrong is an authentication problem (OperationalError);
        a refused token grant says what to fix (:mod:`.loginerrors`)."""
        try:
            return self.http.call("POST", url, data=fields, safe=safe, what=what)
        except OAuthError as exc:
            if grant is None:
                raise
            raise loginerrors.login_failed(exc, grant, self.settings.login_url) from None
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


def _announce(url: str) -> None:
    """The login URL, for a headless machine or a browser that did not open (not a secret: it
    carries the client id and the PKCE challenge, never the verifier)."""
    print(f"Log in to Salesforce in your browser; if it did not open, open this URL:\n  {url}", file=sys.stderr)


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
    import jwt

    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        exp = None
    if not exp:
        return time.monotonic() + wire.CORE_TOKEN_LIFETIME
    return time.monotonic() + (float(exp) - time.time())
