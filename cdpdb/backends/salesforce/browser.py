"""The browser half of a browser login: OAuth 2.0 authorization code with PKCE (RFC 7636, S256)
on a loopback redirect (RFC 8252).

A one-shot HTTP listener on the callback URL's host and port (port 0: a free one) waits for the
browser to come back with ``code`` and ``state``; the state must be the one sent, so a page
elsewhere cannot plant a code. The caller then redeems the code with the verifier
(:mod:`cdpdb.backends.salesforce.auth`). Ctrl-C while waiting closes the listener and
propagates :class:`KeyboardInterrupt`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from cdpdb.backends.salesforce import wire
from cdpdb.exceptions import OperationalError, ProgrammingError

log = logging.getLogger(__name__)

_DONE_PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>cdpdb</title></head>
<body><p>%s</p><p>You can close this window.</p></body></html>"""


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]: within RFC 7636's 43..128
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())

    def __repr__(self) -> str:
        return "Pkce(...)"


@dataclass(frozen=True)
class Authorization:
    """What the browser brought back: the code and the exact redirect URI it was sent to."""

    code: str
    redirect_uri: str
    verifier: str

    def __repr__(self) -> str:
        return f"Authorization(redirect_uri={self.redirect_uri!r}, ...)"


def authorize_url(login_url: str, client_id: str, redirect_uri: str, pkce: Pkce, state: str, scopes: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "code_challenge": pkce.challenge,
        "code_challenge_method": wire.PKCE_METHOD,
        "state": state,
        "scope": scopes,
    }
    return f"{login_url.rstrip('/')}{wire.AUTHORIZE_PATH}?{urlencode(query)}"


class _Listener(HTTPServer):
    """Serves the callback path until one answer with our state arrives."""

    def __init__(self, address: tuple[str, int], path: str, state: str) -> None:
        super().__init__(address, _Callback)
        self.path, self.state = path, state
        self.answer: dict[str, str] | None = None
        self.arrived = threading.Event()


class _Callback(BaseHTTPRequestHandler):
    server: _Listener

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.path:
            self._page(404, b"Not the login callback.")
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if not secrets.compare_digest(query.get("state", ""), self.server.state):
            self._page(400, b"This login answer is not for the login cdpdb started (state differs).")
            return
        failed = "error" in query
        if self.server.answer is None:  # kept before the page is sent: the browser's 200 means it arrived
            self.server.answer = query
            self.server.arrived.set()
        self._page(400 if failed else 200, b"Login failed; see the terminal." if failed else b"Logged in to cdpdb.")

    def _page(self, status: int, text: bytes) -> None:
        body = _DONE_PAGE % text
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # the query carries the code: never log it
        pass


def listen(callback_url: str, state: str) -> _Listener:
    parts = urlsplit(callback_url)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ProgrammingError(
            f"callback_url must be a loopback http:// URL such as {wire.DEFAULT_CALLBACK_URL} "
            f"(and one of the External Client App's callback URLs), not {callback_url!r}"
        )
    host = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
    try:
        return _Listener((host, parts.port or 0), parts.path or "/", state)
    except OSError as exc:
        raise OperationalError(
            f"cannot listen on {parts.hostname}:{parts.port} for the browser login ({exc.strerror}): "
            "close the program using that port or give callback_url with another port "
            "(registered as a callback URL of the app)",
            reason="callback_port",
        ) from None


def redirect_uri_of(listener: _Listener, callback_url: str) -> str:
    """The callback URL with the port the listener really got (port 0 → a free one)."""
    parts = urlsplit(callback_url)
    host = parts.hostname or "127.0.0.1"
    return urlunsplit(("http", f"{host}:{listener.server_address[1]}", parts.path or "/", "", ""))


def authorize(
    login_url: str,
    client_id: str,
    callback_url: str,
    scopes: str,
    timeout: float,
    open_browser: bool = True,
    announce: Callable[[str], None] | None = None,
) -> Authorization:
    """Open the login page, wait for the browser to come back, and return the code.
    ``announce(url)`` shows the URL (for a headless machine, or a browser that did not open)."""
    state, pkce = secrets.token_urlsafe(24), Pkce.new()
    listener = listen(callback_url, state)
    thread = threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        redirect_uri = redirect_uri_of(listener, callback_url)
        url = authorize_url(login_url, client_id, redirect_uri, pkce, state, scopes)
        if announce is not None:
            announce(url)
        if open_browser:
            try:
                opened = webbrowser.open(url)
            except webbrowser.Error:
                opened = False
            if not opened:
                log.info("no browser could be opened; open the login URL by hand")
        deadline = time.monotonic() + timeout
        while not listener.arrived.wait(timeout=0.2):  # short waits: Ctrl-C is seen at once
            if time.monotonic() >= deadline:
                raise OperationalError(
                    f"the browser login did not come back within {timeout:g} s: finish the login in the browser "
                    "sooner, or raise login_timeout",
                    reason="login_timeout",
                )
    finally:
        listener.shutdown()
        listener.server_close()
        thread.join(timeout=5)
    answer = listener.answer or {}
    if "error" in answer:
        raise OperationalError(
            f"the browser login was refused: {answer['error']}: {answer.get('error_description', '')}; "
            + _authorize_fix(answer["error"]),
            reason="missing_scope" if answer["error"] == wire.INVALID_SCOPE else "login_refused",
        )
    if not answer.get("code"):
        raise OperationalError("the browser login came back without a code", reason="login_refused")
    return Authorization(answer["code"], redirect_uri, pkce.verifier)


def _authorize_fix(error: str) -> str:
    if error == wire.INVALID_SCOPE:
        return f"give the External Client App the OAuth scopes {', '.join(wire.DATA_CLOUD_SCOPES)}"
    if error == wire.ACCESS_DENIED:
        return "the login was not approved in the browser; run it again and allow access"
    return "check that the app enables the authorization code flow with PKCE and lists this callback URL"
