"""The HTTP layer: one requests Session per connection, retries, timeouts, errors, redaction.

Retries (tenacity): exponential backoff with jitter, honouring ``Retry-After``, bounded by
``max_retries`` attempts and ``retry_max_seconds`` in all. Answers 429/502/503/504 are retried
for every call (the server did not do the work). Broken connections and bodies are retried only
for calls marked ``safe`` — never for a step such as consuming a single-use V2 batch id, where a
repeat could lose rows; that failure is raised instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
import requests
import urllib3
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_after_delay
from tenacity.stop import stop_base
from tenacity.wait import wait_exponential_jitter

from . import __version__
from .exceptions import Error, OperationalError, error_from_response
from .settings import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_NOT_SENT = (requests.exceptions.ConnectTimeout,)


@dataclass(frozen=True)
class Deadline:
    """When a whole operation (every attempt, every wait) must be over, and the setting that set it."""

    at: float  # time.monotonic()
    setting: str  # named in the error, e.g. "query_timeout=2 s"

    @classmethod
    def after(cls, seconds: float | None, name: str) -> Deadline | None:
        return None if seconds is None else cls(time.monotonic() + seconds, f"{name}={seconds:g} s")

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def expired(self, what: str, query_id: str | None = None) -> OperationalError:
        return OperationalError(f"{what} did not finish within {self.setting}", query_id=query_id)


class _StopAtDeadline(stop_base):
    def __init__(self, deadline: Deadline | None) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.deadline is not None and self.deadline.remaining() <= 0


class _Retryable(Exception):
    """An attempt that may be repeated: a retryable status or a broken transfer."""

    def __init__(self, reason: str, response: requests.Response | None = None, cause: Exception | None = None):
        super().__init__(reason)
        self.reason, self.response, self.cause = reason, response, cause


def _retry_after(response: requests.Response | None) -> float | None:
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


class HttpClient:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent or f"cdpdb/{__version__}"
        if settings.proxies:
            self.session.proxies.update(settings.proxies)
        self._backoff = wait_exponential_jitter(multiplier=0.2, max=8.0, jitter=0.5)

    def close(self) -> None:
        self.session.close()

    def _waiter(self, deadline: Deadline | None) -> Callable[[RetryCallState], float]:
        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            hinted = _retry_after(getattr(error, "response", None))
            delay = hinted if hinted is not None else self._backoff(state)
            elapsed = time.monotonic() - state.start_time
            delay = min(delay, self.settings.retry_max_seconds - elapsed)
            if deadline is not None:
                delay = min(delay, deadline.remaining())
            return max(delay, 0.0)

        return wait

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
        **kwargs: Any,
    ) -> Any:
        """Send one API call with retries and one re-login on 401.

        ``bearer(refresh)`` gives the token (a fresh one when ``refresh``); ``expect`` is
        ``json`` (parsed body), ``answer`` (:class:`Answer`: JSON or Arrow, with headers),
        ``bytes``, ``response`` or ``none``. Bodies are decoded inside the retried step, so a
        truncated answer to a safe call is fetched again. ``deadline`` bounds every attempt and
        wait together: past it the call raises an OperationalError naming the setting.
        """
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.max_retries + 1)
            | stop_after_delay(self.settings.retry_max_seconds)
            | _StopAtDeadline(deadline),
            wait=self._waiter(deadline),
            retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
            reraise=True,
        )
        refreshed = False
        while True:
            try:
                response, body = retrying(
                    self._once, method, url, what, bearer, refreshed, safe, expect, timeout, deadline, kwargs
                )
            except _Retryable as failure:
                if deadline is not None and deadline.remaining() <= 0:
                    raise deadline.expired(what, query_id) from failure.cause
                attempts = retrying.statistics.get("attempt_number", 1)
                raise self._final_error(failure, what, url, query_id, attempts) from failure.cause
            if response.status_code == 401 and bearer is not None and not refreshed:
                log.debug("%s: HTTP 401, logging in again once", what)
                refreshed = True
                continue
            if response.status_code >= 400:
                raise error_from_response(
                    response.status_code,
                    _json_or_none(response),
                    text=response.text,
                    what=what,
                    request_id=_request_id(response),
                    query_id=query_id,
                )
            return response if expect == "response" else body

    def _once(self, method, url, what, bearer, refresh, safe, expect, timeout, deadline, kwargs):
        kwargs = dict(kwargs)  # each attempt starts from the caller's arguments
        read_timeout = timeout or self.settings.read_timeout
        if deadline is not None:
            if deadline.remaining() <= 0:
                raise deadline.expired(what)
            read_timeout = min(read_timeout, deadline.remaining())
        headers = dict(kwargs.pop("headers", None) or {})
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer(refresh)}"
        started = time.perf_counter()
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                verify=self.settings.verify_arg,
                timeout=(self.settings.connect_timeout, read_timeout),
                stream=expect == "answer",  # Arrow bodies are decoded straight from the socket
                **kwargs,
            )
        except requests.exceptions.SSLError as exc:
            raise OperationalError(
                f"{what}: the TLS certificate of {_host(url)} could not be verified ({exc.__class__.__name__}); "
                "pass ca_bundle=<path to the CA's PEM> (or verify=False to skip the check, not recommended)"
            ) from None
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            if "NameResolution" in str(exc) or "not known" in str(exc):
                raise OperationalError(
                    f"{what}: the host {_host(url)} cannot be found; check the URL "
                    "(login_url, or the tenant the token exchange returned)"
                ) from None
            if safe or isinstance(exc, _NOT_SENT) or _never_connected(exc):
                raise _Retryable(f"cannot reach {_host(url)}: {_short(exc)}", cause=exc) from exc
            raise OperationalError(
                f"{what}: the connection to {_host(url)} broke ({_short(exc)}); this step is not "
                "safe to repeat, run the query again"
            ) from exc
        except requests.exceptions.Timeout as exc:
            if deadline is not None and deadline.remaining() <= 0.01:
                raise deadline.expired(what) from None
            if safe:
                raise _Retryable(f"{_host(url)} did not answer in time", cause=exc) from exc
            raise OperationalError(
                f"{what}: no answer from {_host(url)} within {read_timeout:g}"
                " s; this step is not safe to repeat, run the query again"
            ) from exc
        finally:
            headers.pop("Authorization", None)
        elapsed = (time.perf_counter() - started) * 1000
        log.debug(
            "%s %s -> %s in %.0f ms (request id %s)",
            method,
            _path(url),
            response.status_code,
            elapsed,
            _request_id(response),
        )
        if response.status_code in RETRY_STATUSES:
            raise _Retryable(f"HTTP {response.status_code}", response=response)
        if response.status_code >= 400 or expect == "response":
            return response, None
        try:
            return response, _decode(response, expect)
        except _BadBody as exc:
            if safe:
                raise _Retryable(str(exc), response=None, cause=exc) from exc
            raise OperationalError(f"{what}: {exc}; this step is not safe to repeat, run the query again") from exc

    def _final_error(self, failure: _Retryable, what: str, url: str, query_id: str | None, attempts: int) -> Error:
        if failure.response is not None:
            return error_from_response(
                failure.response.status_code,
                _json_or_none(failure.response),
                text=failure.response.text,
                what=what,
                request_id=_request_id(failure.response),
                query_id=query_id,
                attempts=attempts,
            )
        tried = f" ({attempts} attempts)" if attempts > 1 else ""
        return OperationalError(f"{what}: {failure.reason}{tried}; check the network and the server", query_id=query_id)


class _BadBody(Exception):
    pass


ARROW_STREAM = "application/vnd.apache.arrow.stream"


@dataclass(frozen=True)
class Answer:
    """A decoded answer that may be JSON or Arrow (``expect="answer"``), with its headers."""

    headers: Mapping[str, str]
    json: Any = None
    table: pa.Table | None = None


def _decode(response: requests.Response, expect: str) -> Any:
    if expect == "none":
        return None
    kind = response.headers.get("content-type", "")
    if expect == "answer" and kind.startswith(ARROW_STREAM):
        # Read record batches off the socket: no second copy of the body in memory.
        response.raw.decode_content = True
        try:
            return Answer(response.headers, table=pa.ipc.open_stream(response.raw).read_all())
        except (pa.ArrowInvalid, OSError, urllib3.exceptions.HTTPError) as exc:
            raise _BadBody(f"the Arrow answer was cut short or malformed ({exc})") from None
        finally:
            response.close()
    content = response.content
    if expect == "bytes":
        return content
    if expect == "answer":
        return Answer(response.headers, json=_decode(response, "json"))
    if "html" in kind or content.lstrip()[:1] == b"<":
        raise _BadBody(f"the server answered with an HTML page instead of JSON (HTTP {response.status_code})")
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise _BadBody(f"the server's JSON answer was cut short or malformed ({exc})") from None


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


def _never_connected(exc: Exception) -> bool:
    text = str(exc)
    return "NewConnectionError" in text or "Connection refused" in text or "Name or service not known" in text
