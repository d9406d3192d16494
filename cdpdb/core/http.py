"""The HTTP layer: one requests Session per connection, retries, timeouts, errors, redaction.

Vendor-free: a backend hands in its retry policy, the function that turns an error answer into a
PEP 249 error (its error bodies are its own), and decoders for streamed bodies (Arrow).

Retries (:mod:`cdpdb.core.retry`): answers 429/502/503/504 are retried for every
call (the server did not do the work). Broken connections and bodies are retried only for calls
marked ``safe`` — never for a step such as consuming a single-use page token, where a repeat
could lose rows; that failure is raised instead.
"""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

import orjson
import requests
import urllib3

from cdpdb._version import __version__
from cdpdb.core.collector import collector_paused
from cdpdb.core.retry import RETRY_STATUSES, Deadline, RetryPolicy, retry_after
from cdpdb.exceptions import Error, OperationalError

log = logging.getLogger(__name__)
_LARGE_JSON = 1 << 20  # bytes of JSON from which parsing runs with the collector paused
_SMALL_BODY = 1 << 20  # bytes of an Arrow answer up to which it is read whole before decoding

_NOT_SENT = (requests.exceptions.ConnectTimeout,)


class ErrorMapper(Protocol):
    """A backend's reading of an HTTP error answer (its body shapes, its codes)."""

    def __call__(
        self,
        status: int,
        body: Any,
        *,
        text: str = "",
        what: str = "request",
        request_id: str | None = None,
        query_id: str | None = None,
        attempts: int = 1,
    ) -> Error: ...


StreamDecoder = Callable[[IO[bytes]], Any]  # reads a streamed body (e.g. Arrow IPC) off the socket


@dataclass(frozen=True)
class HttpOptions:
    """Transport settings every backend has (the names are ``connect()``'s)."""

    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    verify: bool | str = True  # False, True, or the path of a CA bundle
    proxies: Mapping[str, str] | None = None
    user_agent: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    connections: int = 10  # kept open per host: at least the downloads that may run at once

    @classmethod
    def of(cls, settings: Any, at_once: int = 1) -> HttpOptions:
        """The options of a backend's settings with the usual transport fields: ``connect_timeout``,
        ``read_timeout``, ``verify`` (with ``ca_bundle``: the bundle to verify with), ``proxies``,
        ``user_agent``, ``max_retries`` and ``retry_max_seconds``; room for ``at_once`` calls in
        flight together (parallel downloads), each on a connection kept open: past the pool's
        size, every call would pay a new TLS handshake."""
        return cls(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            verify=(settings.ca_bundle or True) if settings.verify else False,
            proxies=settings.proxies,
            user_agent=settings.user_agent,
            retry=RetryPolicy(max_retries=settings.max_retries, max_seconds=settings.retry_max_seconds),
            connections=max(cls.connections, at_once + 2),
        )


def bodiless_message(status: int, text: str) -> str:
    """What an error says when the answer carried no JSON error body: the status and the start of
    the text (what every backend's error mapper falls back to)."""
    snippet = " ".join(text.split())[:200]
    return f"HTTP {status} with no JSON error body" + (f": {snippet}" if snippet else "")


class _Retryable(Exception):
    """An attempt that may be repeated: a retryable status or a broken transfer."""

    def __init__(self, reason: str, response: requests.Response | None = None, cause: Exception | None = None):
        super().__init__(reason)
        self.reason, self.response, self.cause = reason, response, cause


def _hinted_wait(error: BaseException | None) -> float | None:
    response = getattr(error, "response", None)
    return None if response is None else retry_after(response.headers.get("Retry-After"))


class HttpClient:
    def __init__(
        self,
        options: HttpOptions,
        error_from_response: ErrorMapper,
        decoders: Mapping[str, StreamDecoder] | None = None,
    ) -> None:
        self.options = options
        self._error_from_response = error_from_response
        self._decoders = dict(decoders or {})
        self.session = requests.Session()
        pool = requests.adapters.HTTPAdapter(pool_maxsize=options.connections)
        self.session.mount("https://", pool)
        self.session.mount("http://", pool)
        self.session.headers["User-Agent"] = options.user_agent or f"cdpdb/{__version__}"
        if options.proxies:
            self.session.proxies.update(options.proxies)
        # requests would re-read the environment (proxies, CA bundle) and ~/.netrc on every call —
        # about a millisecond each, and a .netrc entry would replace the bearer token: read once per origin.
        self.session.trust_env = False
        self._environments: dict[tuple[str, str], tuple[dict[str, str], bool | str]] = {}

    def close(self) -> None:
        self.session.close()

    def _environment(self, url: str) -> tuple[dict[str, str], bool | str]:
        """The proxies (``HTTPS_PROXY``..., ``NO_PROXY`` honoured; explicit ``proxies`` win) and the CA
        bundle (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``, unless one is given) for ``url``'s origin."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        found = self._environments.get(origin)
        if found is None:
            proxies = {**requests.utils.get_environ_proxies(url), **(self.options.proxies or {})}
            verify = self.options.verify
            if verify is True:
                verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            found = self._environments[origin] = (proxies, verify)
        return found

    def call(
        self,
        method: str,
        url: str,
        *,
        what: str,
        bearer: Callable[[bool], str] | None = None,
        safe: bool = True,
        expect: str = "json",
        timeout: float | None = None,
        query_id: str | None = None,
        deadline: Deadline | None = None,
        parse: Callable[[bytes], Any] = orjson.loads,
        **kwargs: Any,
    ) -> Any:
        """Send one API call with retries and one re-login on 401.

        ``bearer(refresh)`` gives the token (a fresh one when ``refresh``); ``expect`` is
        ``json`` (parsed body), ``answer`` (:class:`Answer`: JSON or Arrow, with headers),
        ``bytes``, ``response`` or ``none``. Bodies are decoded inside the retried step, so a
        truncated answer to a safe call is fetched again. ``deadline`` bounds every attempt and
        wait together: past it the call raises an OperationalError naming the setting. ``parse``
        reads a JSON body (e.g. :func:`cdpdb.core.results.jsontext.loads` for pages of rows); it
        raises ``orjson.JSONDecodeError`` on a malformed one.
        """
        retrying = self.options.retry.retrying(lambda e: isinstance(e, _Retryable), _hinted_wait, deadline)
        refreshed = False
        while True:
            try:
                response, body = retrying(
                    self._once, method, url, what, bearer, refreshed, safe, expect, timeout, deadline, parse, kwargs
                )
            except _Retryable as failure:
                if deadline is not None and deadline.remaining() <= 0:
                    raise deadline.expired(what, query_id) from failure.cause
                attempts = retrying.attempts
                raise self._final_error(failure, what, url, query_id, attempts) from failure.cause
            if response.status_code == 401 and bearer is not None and not refreshed:
                log.debug("%s: HTTP 401, logging in again once", what)
                refreshed = True
                continue
            if response.status_code >= 400:
                raise self._error_from_response(
                    response.status_code,
                    _json_or_none(response),
                    text=response.text,
                    what=what,
                    request_id=_request_id(response),
                    query_id=query_id,
                )
            return response if expect == "response" else body

    def _once(
        self,
        method: str,
        url: str,
        what: str,
        bearer: Callable[[bool], str] | None,
        refresh: bool,
        safe: bool,
        expect: str,
        timeout: float | None,
        deadline: Deadline | None,
        parse: Callable[[bytes], Any],
        kwargs: dict[str, Any],
    ) -> tuple[requests.Response, Any]:
        kwargs = dict(kwargs)  # each attempt starts from the caller's arguments
        read_timeout = timeout or self.options.read_timeout
        if deadline is not None:
            if deadline.remaining() <= 0:
                raise deadline.expired(what)
            read_timeout = min(read_timeout, deadline.remaining())
        headers = dict(kwargs.pop("headers", None) or {})
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer(refresh)}"
        proxies, verify = self._environment(url)
        started = time.perf_counter()
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                proxies=proxies,
                verify=verify,
                timeout=(self.options.connect_timeout, read_timeout),
                stream=expect == "answer",  # streamed bodies (Arrow) are decoded straight from the socket
                **kwargs,
            )
        except requests.exceptions.SSLError as exc:
            raise OperationalError(
                f"{what}: the TLS certificate of {_host(url)} could not be verified ({exc.__class__.__name__}); "
                "pass ca_bundle=<path to the CA's PEM> (or verify=False to skip the check, not recommended)",
                reason="tls",
            ) from None
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            if _caused_by(exc, urllib3.exceptions.NameResolutionError):
                raise OperationalError(
                    f"{what}: the host {_host(url)} cannot be found; check the URL "
                    "(login_url, or the tenant the token exchange returned)",
                    reason="unknown_host",
                ) from None
            if safe or isinstance(exc, _NOT_SENT) or _caused_by(exc, urllib3.exceptions.NewConnectionError):
                raise _Retryable(f"cannot reach {_host(url)}: {_short(exc)}", cause=exc) from exc
            raise OperationalError(
                f"{what}: the connection to {_host(url)} broke ({_short(exc)}); this step is not "
                "safe to repeat, run the query again",
                disconnect=True,
                reason="broken_transfer",
            ) from exc
        except requests.exceptions.Timeout as exc:
            if deadline is not None and deadline.remaining() <= 0.01:
                raise deadline.expired(what) from None
            if safe:
                raise _Retryable(f"{_host(url)} did not answer in time", cause=exc) from exc
            raise OperationalError(
                f"{what}: no answer from {_host(url)} within {read_timeout:g}"
                " s; this step is not safe to repeat, run the query again",
                reason="timeout",
            ) from exc
        finally:
            headers.pop("Authorization", None)
        if log.isEnabledFor(logging.DEBUG):  # its arguments cost a few microseconds per call
            log.debug(
                "%s %s -> %s in %.0f ms (request id %s)",
                method,
                _path(url),
                response.status_code,
                (time.perf_counter() - started) * 1000,
                _request_id(response),
            )
        if response.status_code in RETRY_STATUSES:
            raise _Retryable(f"HTTP {response.status_code}", response=response)
        if response.status_code >= 400 or expect == "response":
            return response, None
        try:
            return response, self._decode(response, expect, parse)
        except _BadBody as exc:
            if safe:
                raise _Retryable(str(exc), response=None, cause=exc) from exc
            raise OperationalError(
                f"{what}: {exc}; this step is not safe to repeat, run the query again", reason=exc.reason
            ) from exc

    def _decode(self, response: requests.Response, expect: str, parse: Callable[[bytes], Any] = orjson.loads) -> Any:
        if expect == "none":
            return None
        kind = response.headers.get("content-type", "")
        decoder = next((d for mime, d in self._decoders.items() if kind.startswith(mime)), None)
        if expect == "answer" and decoder is not None:
            response.raw.decode_content = True
            # a small body is read whole (one read instead of a Python call per Arrow message);
            # a large one off the socket as it arrives: no second copy of it in memory
            length = response.headers.get("content-length", "")
            small = length.isdigit() and int(length) <= _SMALL_BODY
            try:
                return Answer(response.headers, table=decoder(io.BytesIO(response.content) if small else response.raw))
            except Exception as exc:  # whatever the decoder raises, the body is unusable
                raise _BadBody(f"the {kind} answer was cut short or malformed ({exc})", "broken_transfer") from None
            finally:
                response.close()
        content = response.content
        if expect == "bytes":
            return content
        if expect == "answer":
            return Answer(response.headers, json=self._decode(response, "json", parse))
        if "html" in kind or content[:1024].lstrip()[:1] == b"<":  # no copy of a large body
            raise _BadBody(
                f"the server answered with an HTML page instead of JSON (HTTP {response.status_code})", "html_answer"
            )
        try:
            if len(content) < _LARGE_JSON:
                return parse(content)
            with collector_paused():  # a page of rows is a million fresh objects
                return parse(content)
        except orjson.JSONDecodeError as exc:
            raise _BadBody(f"the server's JSON answer was cut short or malformed ({exc})", "broken_transfer") from None

    def _final_error(self, failure: _Retryable, what: str, url: str, query_id: str | None, attempts: int) -> Error:
        if failure.response is not None:
            return self._error_from_response(
                failure.response.status_code,
                _json_or_none(failure.response),
                text=failure.response.text,
                what=what,
                request_id=_request_id(failure.response),
                query_id=query_id,
                attempts=attempts,
            )
        tried = f" ({attempts} attempts)" if attempts > 1 else ""
        bad_body = isinstance(failure.cause, _BadBody)
        return OperationalError(
            f"{what}: {failure.reason}{tried}; check the network and the server",
            query_id=query_id,
            retryable=True,
            disconnect=not bad_body,
            reason=failure.cause.reason if isinstance(failure.cause, _BadBody) else "unreachable",
        )


class _BadBody(Exception):
    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    """A decoded answer that may be JSON or a streamed body (``expect="answer"``), with its headers."""

    headers: Mapping[str, str]
    json: Any = None
    table: Any = None  # what the stream decoder for the answer's content type returned


def _json_or_none(response: requests.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


def _request_id(response: requests.Response) -> str | None:
    headers = response.headers
    return headers.get("x-request-id") or headers.get("x-trace-id") or headers.get("sforce-call-id")


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def _path(url: str) -> str:
    """The URL without its query string: query strings may carry tokens; logs never do."""
    return url.split("?", 1)[0]


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 200 else text[:200] + "..."


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is somewhere in what requests wrapped (its arguments, urllib3's reasons)."""
    pending, visited = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if isinstance(current, kind):
            return True
        for inner in (*current.args, getattr(current, "reason", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                pending.append(inner)
    return False
