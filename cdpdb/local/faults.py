"""Limits and injected faults of a local emulator, switchable per server and per test.

Faults live in the server, not in a mocked transport, so every test exercises the real client
stack: HTTP, retries, decoding. Quiet and correct by default: no fault is active until asked for.
What an error looks like on the wire is the backend's: the middleware asks its ``ErrorBody``.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from typing import Any

FAULT_KINDS = ("status", "reset", "html", "malformed", "slow", "delay")


@dataclass
class ServerLimits:
    """Sizes and timings every emulator applies; a backend subclasses it with its APIs' own
    (page sizes, chunk rows) and the documented values as defaults. A field whose default is
    ``None`` is optional (``None``: no cap); a float default makes a field a number, else an integer."""

    latency_ms: float = 0.0  # added to every request
    max_concurrent: int = 15  # more requests at once get 429 with Retry-After
    retry_after_seconds: float = 1.0
    page_rows: int | None = None  # cap on rows in any page or inline result
    query_seconds: float = 0.0  # every query takes at least this long (long-running queries)
    result_lifetime_seconds: float = 3600.0


@dataclass
class Fault:
    """One injected failure, hitting ``count`` requests whose path matches ``path`` (a regex),
    after letting ``skip`` matching requests through."""

    kind: str = "status"  # status | reset | html | malformed | slow | delay
    count: int = 1  # -1: every matching request
    path: str = ""
    method: str | None = None
    skip: int = 0
    status: int = 503
    retry_after: float | None = None
    seconds: float = 0.0  # delay before answering ("delay") or between body pieces ("slow")

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {self.kind!r}")
        _check_numbers(self, {"count": int, "skip": int, "status": int, "retry_after": float, "seconds": float})
        if not isinstance(self.path, str) or not (self.method is None or isinstance(self.method, str)):
            raise ValueError("a fault's path (a regular expression) and method must be text")
        if not 100 <= self.status <= 599:
            raise ValueError(f"a fault's status must be an HTTP status (100-599), not {self.status}")
        try:
            re.compile(self.path)
        except re.error as exc:
            raise ValueError(f"a fault's path must be a regular expression: {exc}") from None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None


@dataclass
class FaultPlan:
    limits: ServerLimits = field(default_factory=ServerLimits)
    faults: list[Fault] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)  # counted by the middleware
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, fault: Fault | None = None, **kwargs: Any) -> Fault:
        fault = fault or Fault(**kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The fault this request hits, if any; consumes one use of it."""
        with self._lock:
            for fault in self.faults:
                if not fault.matches(method, path):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                if fault.count == 0:
                    continue
                if fault.count > 0:
                    fault.count -= 1
                return fault
        return None

    def set_limits(self, **changes: Any) -> None:
        known = {f.name for f in fields(self.limits)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        limits = replace(self.limits, **changes)
        # A limit of the wrong type would be accepted here and crash every later request.
        _check_numbers(limits, {f.name: float if isinstance(f.default, float) else int for f in fields(limits)})
        self.limits = limits

    def clear(self) -> None:
        """No faults, and the limits' documented defaults (of the backend's own kind of limits)."""
        with self._lock:
            self.faults.clear()
        self.limits = type(self.limits)()

    @contextmanager
    def inject(self, *faults: Fault, **limits: Any) -> Iterator[FaultPlan]:
        """Apply faults and limits for the duration of a ``with`` block, then restore."""
        saved = self.limits
        if limits:
            self.set_limits(**limits)
        for fault in faults:
            self.add(fault)
        try:
            yield self
        finally:
            with self._lock:
                for fault in faults:
                    if fault in self.faults:
                        self.faults.remove(fault)
            self.limits = saved

    def describe(self) -> dict[str, Any]:
        return {"limits": asdict(self.limits), "faults": [asdict(f) for f in self.faults], "stats": dict(self.stats)}


def _check_numbers(obj: Any, kinds: dict[str, type]) -> None:
    """Each named attribute is a number of its kind (ints allowed for floats; never booleans),
    not negative (a fault's count may be -1: every request); optional ones (default ``None``)
    may be None."""
    optional = {f.name for f in fields(obj) if f.default is None and f.default_factory is MISSING}
    for name, kind in kinds.items():
        value = getattr(obj, name)
        if value is None and name in optional:
            continue
        allowed = (int, float) if kind is float else (int,)
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise ValueError(f"{name} must be {'a number' if kind is float else 'an integer'}, not {value!r}")
        if value < (-1 if name == "count" else 0):
            raise ValueError(f"{name} must not be negative, not {value!r}")


class InjectedReset(Exception):
    """Raised inside the server to drop a connection mid-body (the 'reset' fault)."""


#: An error body in the backend's shape: (request path, HTTP status, message) → bytes of JSON.
ErrorBody = Callable[[str, int, str], bytes]

HTML_ERROR_PAGE = b"""<!DOCTYPE html>
<html><head><title>Service Unavailable</title></head>
<body><h1>Service Unavailable</h1>
<p>The server is temporarily unable to service your request. Please try again later.</p>
</body></html>
"""


class FaultMiddleware:
    """ASGI middleware applying the plan's latency, concurrency limit and faults to every path
    but the emulator's own test hooks (``exempt``, a path prefix), which must keep working
    while faults are on."""

    def __init__(self, app: Any, plan: FaultPlan, error_body: ErrorBody, exempt: str) -> None:
        self.app, self.plan, self.error_body, self.exempt = app, plan, error_body, exempt
        self.in_flight = 0
        plan.stats = {"requests": 0, "busy_rejections": 0, "faults_injected": 0, "most_at_once": 0}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        limits, path, stats = self.plan.limits, scope["path"], self.plan.stats
        stats["requests"] += 1
        self.in_flight += 1  # a request counts as running from arrival, latency included
        stats["most_at_once"] = max(stats["most_at_once"], self.in_flight)  # shows a client's parallelism
        try:
            if limits.latency_ms:
                await asyncio.sleep(limits.latency_ms / 1000)
            if self.in_flight > limits.max_concurrent:
                stats["busy_rejections"] += 1
                message = f"more than {limits.max_concurrent} concurrent requests; retry after the Retry-After delay"
                await _send(send, 429, self.error_body(path, 429, message), retry_after=limits.retry_after_seconds)
                return
            fault = self.plan.take(scope["method"], path)
            if fault is not None:
                stats["faults_injected"] += 1
            if fault is None:
                await self.app(scope, receive, send)
            elif fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
                await self.app(scope, receive, send)
            elif fault.kind == "status":
                message = f"injected fault: HTTP {fault.status}"
                body = self.error_body(path, fault.status, message)
                await _send(send, fault.status, body, retry_after=fault.retry_after)
            elif fault.kind == "html":
                await _send(send, fault.status, HTML_ERROR_PAGE, content_type=b"text/html; charset=utf-8")
            else:
                await self._mangle(fault, scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _mangle(self, fault: Fault, scope: Any, receive: Any, send: Any) -> None:
        start: dict[str, Any] = {}
        body = bytearray()

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(scope, receive, capture)
        half = len(body) // 2
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if fault.kind == "malformed":
            cut = bytes(body[:half])
            await send({**start, "headers": [*headers, (b"content-length", str(len(cut)).encode())]})
            await send({"type": "http.response.body", "body": cut})
        elif fault.kind == "reset":
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": bytes(body[:half]), "more_body": True})
            raise InjectedReset("connection reset by an injected fault")
        else:  # slow: the whole body, in sixteen pieces with a pause between them
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            step = max(len(body) // 16, 1)
            for i in range(0, len(body), step):
                await asyncio.sleep(fault.seconds)
                await send({"type": "http.response.body", "body": bytes(body[i : i + step]), "more_body": True})
            await send({"type": "http.response.body", "body": b""})


async def _send(
    send: Any, status: int, body: bytes, *, content_type: bytes = b"application/json", retry_after: float | None = None
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(round(retry_after), 0)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
