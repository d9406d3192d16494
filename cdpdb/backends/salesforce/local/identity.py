"""The local Data Cloud's identity provider: users, connected apps and the tokens they get.

Core tokens are opaque strings like Salesforce session ids; Data Cloud tokens are JWTs (the
newest official connector reads their ``exp`` claim). Both expire after a configurable lifetime.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

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
    client_id: str
    client_secret: str
    public_key_pem: str | None = None
    client_credentials_user: str | None = None


@dataclass
class Session:
    """A core (Salesforce) access token."""

    username: str
    grant: str
    expires_at: float
    exchanged: bool = False


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
        self._lock = threading.Lock()
        self.demo = self._register_demo()

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
        if grant_type == wire.PASSWORD_GRANT:
            app = self._app(fields, need_secret=True)
            username, password = fields.get("username", ""), fields.get("password", "")
            if not username or not secrets.compare_digest(self._users.get(username, "\0"), password):
                raise OAuthError("invalid_grant", "authentication failure")
            return self._session(username, grant_type), username
        if grant_type == wire.JWT_GRANT:
            username = self._verify_assertion(fields.get("assertion", ""), login_url)
            return self._session(username, grant_type), username
        if grant_type == wire.REFRESH_GRANT:
            app = self._app(fields, need_secret=bool(fields.get("client_secret")))
            owner = self._refresh.get(fields.get("refresh_token", ""))
            if owner is None or owner[0] != app.client_id:
                raise OAuthError("invalid_grant", "expired access/refresh token")
            return self._session(owner[1], grant_type), owner[1]
        if grant_type == wire.CLIENT_CREDENTIALS_GRANT:
            app = self._app(fields, need_secret=True)
            if not app.client_credentials_user:
                raise OAuthError("invalid_grant", "no client credentials user enabled")
            return self._session(app.client_credentials_user, grant_type), app.client_credentials_user
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

    def _verify_assertion(self, assertion: str, login_url: str) -> str:
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
        return claims["sub"]

    def _session(self, username: str, grant: str) -> str:
        token = f"{ORG_ID}!" + secrets.token_urlsafe(48)
        with self._lock:
            self._sessions[token] = Session(username, grant, time.time() + self.core_token_lifetime)
        return token

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
        """The a360 exchange. A core token can be exchanged once; a second try is refused."""
        with self._lock:
            session = self._sessions.get(subject_token)
            if session is None or session.expires_at <= time.time():
                raise OAuthError("invalid_grant", "invalid subject token", 400)
            if session.exchanged:
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


class ReusedSubjectToken(Exception):
    """Salesforce answers a second exchange of a password-flow token with an HTML page."""
