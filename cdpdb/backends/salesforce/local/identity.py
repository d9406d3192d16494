"""The local Data Cloud's identity provider: users, connected apps and the tokens they get.

Core tokens are opaque strings like Salesforce session ids; Data Cloud tokens are JWTs (the
newest official connector reads their ``exp`` claim). Both expire after a configurable lifetime.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cdpdb.backends.salesforce import wire

ORG_ID = "00DLC0000000001AAA"
USER_ID = "005LC0000000001AAA"
TRUSTED_AUDIENCES = (wire.DEFAULT_LOGIN_URL, wire.SANDBOX_LOGIN_URL)


class OAuthError(Exception):
    """An OAuth failure in Salesforce's shape: ``{"error": ..., "error_description": ...}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass
class ConnectedApp:
    """An External Client App (or a Connected App): its keys, callback URLs and OAuth scopes."""

    client_id: str
    client_secret: str
    public_key_pem: str | None = None
    client_credentials_user: str | None = None
    callback_urls: tuple[str, ...] = (wire.DEFAULT_CALLBACK_URL,)
    scopes: tuple[str, ...] = wire.DATA_CLOUD_SCOPES


@dataclass
class OrgPolicy:
    """How the org is set up, so that every real-org login failure can be reproduced: an org
    without Data Cloud, users without its permission set, an app without the query scopes, a
    server that plays the generic login host (no client credentials there), the username-password
    flow blocked. The defaults are a well set-up org."""

    data_cloud: bool = True
    password_flow: bool = True
    generic_login_host: bool = False
    users_without_data_cloud: frozenset[str] = frozenset()
    app_scopes: tuple[str, ...] | None = None  # None: each app's own; else every app gets these
    code_lifetime: float = wire.AUTH_CODE_LIFETIME


@dataclass
class AuthCode:
    """An authorization code of the browser login, waiting for its token request."""

    client_id: str
    redirect_uri: str
    challenge: str
    username: str
    scope: str
    expires_at: float


@dataclass
class Session:
    """A core (Salesforce) access token."""

    username: str
    grant: str
    expires_at: float
    exchanged: bool = False
    scope: str = " ".join(wire.DATA_CLOUD_SCOPES)
    refresh_token: str | None = None  # issued with this token (authorization code grant)


@dataclass
class DemoCredentials:
    """Credentials the local Data Cloud accepts out of the box. The private key is generated
    at start-up, so nothing secret is ever committed or shared between servers."""

    username: str = "demo@cdpdb.local"
    password: str = field(default_factory=lambda: "demo-" + secrets.token_urlsafe(8))
    client_id: str = "cdpdb-local-connected-app"
    client_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    refresh_token: str = field(default_factory=lambda: "5Aep" + secrets.token_urlsafe(24))
    private_key_pem: str = ""

    def __repr__(self) -> str:  # never print secrets
        return f"DemoCredentials(username={self.username!r}, client_id={self.client_id!r}, ...)"


class IdentityProvider:
    def __init__(self, token_lifetime: float = 7200.0, core_token_lifetime: float = wire.CORE_TOKEN_LIFETIME) -> None:
        self.token_lifetime = token_lifetime
        self.core_token_lifetime = core_token_lifetime
        self._signing_key = secrets.token_bytes(32)
        self._users: dict[str, str] = {}
        self._apps: dict[str, ConnectedApp] = {}
        self._refresh: dict[str, tuple[str, str]] = {}  # refresh token → (client_id, username)
        self._sessions: dict[str, Session] = {}
        self._issued_jti: set[str] = set()
        self._revoked_jti: set[str] = set()
        self._expired_jti: set[str] = set()  # expired early by the fault switch
        self._codes: dict[str, AuthCode] = {}
        self._lock = threading.Lock()
        self.policy = OrgPolicy()
        self.demo = self._register_demo()

    @contextmanager
    def configured(self, **changes: object) -> Iterator[OrgPolicy]:
        """Set up the org differently for a ``with`` block (see :class:`OrgPolicy`), then restore."""
        known = {f.name for f in fields(OrgPolicy)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown org setting(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        saved = self.policy
        self.policy = replace(saved, **changes)  # type: ignore[arg-type]
        try:
            yield self.policy
        finally:
            self.policy = saved

    # -- registration ----------------------------------------------------------------------

    def _register_demo(self) -> DemoCredentials:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        public_pem = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        demo = DemoCredentials(private_key_pem=private_pem)
        self.add_user(demo.username, demo.password)
        self.add_app(ConnectedApp(demo.client_id, demo.client_secret, public_pem, demo.username))
        self._refresh[demo.refresh_token] = (demo.client_id, demo.username)
        return demo

    def add_user(self, username: str, password: str) -> None:
        self._users[username] = password

    def add_app(self, app: ConnectedApp) -> None:
        self._apps[app.client_id] = app

    # -- core tokens -----------------------------------------------------------------------

    def grant(self, fields: dict[str, str], login_url: str) -> tuple[str, str]:
        """Run one token grant (``wire.TOKEN_PATH``); returns (access token, username)."""
        grant_type = fields.get("grant_type")
        if grant_type == wire.AUTHORIZATION_CODE_GRANT:
            return self._redeem_code(fields)
        if grant_type == wire.PASSWORD_GRANT:
            if not self.policy.password_flow:
                raise OAuthError(wire.UNSUPPORTED_GRANT_TYPE, "grant type not supported")
            app = self._app(fields, need_secret=True)
            username, password = fields.get("username", ""), fields.get("password", "")
            if not username or not secrets.compare_digest(self._users.get(username, "\0"), password):
                raise OAuthError("invalid_grant", "authentication failure")
            return self._session(username, grant_type, self._scope(app)), username
        if grant_type == wire.JWT_GRANT:
            username, app = self._verify_assertion(fields.get("assertion", ""), login_url)
            return self._session(username, grant_type, self._scope(app)), username
        if grant_type == wire.REFRESH_GRANT:
            app = self._app(fields, need_secret=bool(fields.get("client_secret")))
            owner = self._refresh.get(fields.get("refresh_token", ""))
            if owner is None or owner[0] != app.client_id:
                raise OAuthError("invalid_grant", "expired access/refresh token")
            return self._session(owner[1], grant_type, self._scope(app)), owner[1]
        if grant_type == wire.CLIENT_CREDENTIALS_GRANT:
            if self.policy.generic_login_host:
                raise OAuthError(wire.INVALID_GRANT, wire.NOT_ON_THIS_DOMAIN)
            app = self._app(fields, need_secret=True)
            if not app.client_credentials_user:
                raise OAuthError("invalid_grant", "no client credentials user enabled")
            user = app.client_credentials_user
            return self._session(user, grant_type, self._scope(app)), user
        if not grant_type:
            raise OAuthError("invalid_request", "grant type not specified")
        raise OAuthError("unsupported_grant_type", "grant type not supported")

    def _app(self, fields: dict[str, str], need_secret: bool) -> ConnectedApp:
        app = self._apps.get(fields.get("client_id", ""))
        if app is None:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if need_secret and not secrets.compare_digest(app.client_secret, fields.get("client_secret", "")):
            raise OAuthError("invalid_client", "invalid client credentials")
        return app

    def _verify_assertion(self, assertion: str, login_url: str) -> tuple[str, ConnectedApp]:
        try:
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
        app = self._apps.get(str(claims.get("iss", "")))
        if app is None or not app.public_key_pem:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        audiences = [login_url.rstrip("/"), *TRUSTED_AUDIENCES]
        try:
            claims = jwt.decode(
                assertion,
                app.public_key_pem,
                algorithms=["RS256"],
                audience=audiences,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise OAuthError("invalid_grant", "expired authorization code") from None
        except jwt.InvalidAudienceError:
            raise OAuthError("invalid_grant", "audience is invalid") from None
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
        if claims["sub"] not in self._users:
            raise OAuthError("invalid_grant", "user hasn't approved this consumer")
        return claims["sub"], app

    def _scope(self, app: ConnectedApp) -> str:
        return " ".join(self.policy.app_scopes if self.policy.app_scopes is not None else app.scopes)

    def _session(self, username: str, grant: str, scope: str, refresh_token: str | None = None) -> str:
        token = f"{ORG_ID}!" + secrets.token_urlsafe(48)
        with self._lock:
            self._sessions[token] = Session(
                username, grant, time.time() + self.core_token_lifetime, scope=scope, refresh_token=refresh_token
            )
        return token

    # -- the browser login (web-server flow with PKCE) --------------------------------------

    def authorize(self, params: dict[str, str]) -> str:
        """``wire.AUTHORIZE_PATH``: the user (``login_hint`` or the demo user) approves at once;
        returns the callback URL carrying ``code`` and ``state``. A bad client or redirect URI is
        an :class:`OAuthError` shown to the user; anything else goes back to the redirect URI."""
        app = self._apps.get(params.get("client_id", ""))
        if app is None:
            raise OAuthError(wire.INVALID_CLIENT_ID, "client identifier invalid")
        redirect_uri = params.get("redirect_uri", "")
        if not _registered(redirect_uri, app.callback_urls):
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match a callback URL of the app")
        state = params.get("state")

        def back(**answer: str) -> str:
            query = urlencode({**answer, **({"state": state} if state is not None else {})})
            return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"

        if params.get("response_type") != "code":
            return back(error="unsupported_response_type", error_description="response_type must be code")
        challenge, method = params.get("code_challenge", ""), params.get("code_challenge_method", "")
        if not challenge:
            return back(error=wire.INVALID_REQUEST, error_description="missing required code challenge")
        if method != wire.PKCE_METHOD:
            return back(
                error=wire.INVALID_REQUEST, error_description=f"code_challenge_method must be {wire.PKCE_METHOD}"
            )
        granted = self._scope(app).split()
        asked = (params.get("scope") or " ".join(granted)).split()
        unknown = [s for s in asked if s not in granted and s not in ("openid", "id", "offline_access")]
        if unknown:
            return back(error=wire.INVALID_SCOPE, error_description=f"the app does not allow: {' '.join(unknown)}")
        username = params.get("login_hint") or self.demo.username
        if username not in self._users:
            return back(error=wire.ACCESS_DENIED, error_description="end-user denied authorization")
        code = "aPrx" + secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = AuthCode(
                app.client_id,
                redirect_uri,
                challenge,
                username,
                " ".join(asked),
                time.time() + self.policy.code_lifetime,
            )
        return back(code=code)

    def _redeem_code(self, fields: dict[str, str]) -> tuple[str, str]:
        with self._lock:
            found = self._codes.pop(fields.get("code", ""), None)  # single use, even when refused below
        if found is None or found.expires_at <= time.time():
            raise OAuthError(wire.INVALID_GRANT, "invalid authorization code")
        app = self._app(fields, need_secret=bool(fields.get("client_secret")))
        if app.client_id != found.client_id:
            raise OAuthError(wire.INVALID_GRANT, "invalid authorization code")
        if fields.get("redirect_uri") != found.redirect_uri:
            raise OAuthError(wire.INVALID_GRANT, "redirect_uri must match the authorization request")
        verifier = fields.get("code_verifier", "")
        if not verifier:
            raise OAuthError(wire.INVALID_GRANT, "invalid code verifier")
        if not secrets.compare_digest(pkce_challenge(verifier), found.challenge):
            raise OAuthError(wire.INVALID_REQUEST, "invalid code verifier")
        refresh = None
        if "refresh_token" in found.scope.split() or "offline_access" in found.scope.split():
            refresh = "5Aep" + secrets.token_urlsafe(32)
            with self._lock:
                self._refresh[refresh] = (app.client_id, found.username)
        return self._session(found.username, wire.AUTHORIZATION_CODE_GRANT, found.scope, refresh), found.username

    def core_session(self, token: str) -> Session | None:
        session = self._sessions.get(token)
        if session is None or session.expires_at <= time.time():
            return None
        return session

    def revoke(self, token: str) -> bool:
        with self._lock:
            if self._sessions.pop(token, None) is not None:
                return True
            if self._refresh.pop(token, None) is not None:
                return True
        try:
            self._revoked_jti.add(self._decode(token, verify_exp=False)["jti"])
            return True
        except OAuthError:
            return False

    # -- Data Cloud tokens -------------------------------------------------------------------

    def exchange(self, subject_token: str, dataspace: str | None) -> str:
        """The a360 exchange. A password-flow core token can be exchanged once; a second try is
        refused (other grants' tokens: any number of times, UNCONFIRMED). An org
        without Data Cloud has no exchange (404); a user without its permission set is refused
        (403); a token without the ``api`` and ``cdp_query_api`` scopes too (UNCONFIRMED shapes)."""
        if not self.policy.data_cloud:
            raise OAuthError("not_found", "Data Cloud is not provisioned in this org", 404)
        with self._lock:
            session = self._sessions.get(subject_token)
            if session is None or session.expires_at <= time.time():
                raise OAuthError("invalid_grant", "invalid subject token", 400)
            if session.username in self.policy.users_without_data_cloud:
                raise OAuthError(wire.ACCESS_DENIED, "the user has no Data Cloud permission set", 403)
            lacking = [s for s in wire.QUERY_SCOPES if s not in session.scope.split() and "full" not in session.scope]
            if lacking:
                raise OAuthError(wire.INVALID_SCOPE, f"the token lacks the scope(s) {' '.join(lacking)}", 400)
            if session.exchanged and session.grant == wire.PASSWORD_GRANT:  # the quirk is reported for these only
                raise ReusedSubjectToken()
            session.exchanged = True
        now = int(time.time())
        claims = {
            "iss": "cdpdb-local",
            "sub": session.username,
            "aud": "api://data-cloud",
            "iat": now,
            "exp": now + int(self.token_lifetime),
            "nbf": now - 1,
            "jti": secrets.token_hex(12),
            "orgId": ORG_ID,
            "dataspace": dataspace,
        }
        with self._lock:
            self._issued_jti.add(claims["jti"])
        return jwt.encode(claims, self._signing_key, algorithm="HS256")

    def data_cloud_claims(self, token: str) -> dict:
        claims = self._decode(token, verify_exp=True)
        if claims["jti"] in self._expired_jti:
            raise OAuthError("invalid_token", "the Data Cloud token has expired", 401)
        if claims["jti"] in self._revoked_jti:
            raise OAuthError("invalid_token", "the Data Cloud token was revoked", 401)
        return claims

    def _decode(self, token: str, verify_exp: bool) -> dict:
        try:
            claims = jwt.decode(
                token,
                self._signing_key,
                algorithms=["HS256"],
                audience="api://data-cloud",
                options={"verify_exp": verify_exp},
            )
        except jwt.ExpiredSignatureError:
            raise OAuthError("invalid_token", "the Data Cloud token has expired", 401) from None
        except jwt.PyJWTError:
            raise OAuthError("invalid_token", "the Data Cloud token is invalid", 401) from None
        return claims

    def expire_all(self) -> None:
        """Fault switch: every token issued so far stops working now."""
        with self._lock:
            now = time.time()
            for session in self._sessions.values():
                session.expires_at = now
            self._expired_jti |= self._issued_jti
            self._issued_jti = set()


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _registered(redirect_uri: str, callbacks: tuple[str, ...]) -> bool:
    """A callback URL of the app; for loopback hosts any port (RFC 8252 §7.3), since the login
    listens on a free port when asked for port 0."""
    if redirect_uri in callbacks:
        return True
    try:
        asked = urlsplit(redirect_uri)
        asked_port = asked.port
    except ValueError:
        return False
    for callback in callbacks:
        known = urlsplit(callback)
        if (
            known.hostname in ("127.0.0.1", "localhost", "::1")
            and asked.scheme == known.scheme == "http"
            and asked.hostname == known.hostname
            and asked.path == known.path
            and asked_port is not None
        ):
            return True
    return False


class ReusedSubjectToken(Exception):
    """Salesforce answers a second exchange of a password-flow token with an HTML page."""
