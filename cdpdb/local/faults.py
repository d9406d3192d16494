"""Limits and injected faults of the local Data Cloud, switchable per server and per test.

Faults live in the server, not in a mocked transport, so every test exercises the real client
stack: HTTP, retries, decoding. Quiet and correct by default: no fault is active until asked for.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace

FAULT_KINDS = ("status", "reset", "html", "malformed", "slow", "delay")


@dataclass
class Limits:
    """Sizes and timings the server applies to every request (the documented values by default)."""

    latency_ms: float = 0.0  # added to every request
    max_concurrent: int = 15  # more requests at once get 429 with Retry-After
    retry_after_seconds: float = 1.0
    v1_max_rows: int = 49_999
    v2_batch_bytes: int = 8 * 1024 * 1024
    v2_batch_rows: int | None = None
    v3_chunk_rows: int = 100_000
    v3_max_byte_limit: int = 20_000_000
    connect_page_bytes: int = 2 * 1024 * 1024
    page_rows: int | None = None  # cap on rows in any /rows page or inline result
    query_seconds: float = 0.0  # every query takes at least this long (long-running queries)
    adaptive_wait_seconds: float = 5.0  # ADAPTIVE / Connect POST wait before answering "running"
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
    limits: Limits = field(default_factory=Limits)
    faults: list[Fault] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)  # counted by the middleware
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, fault: Fault | None = None, **kwargs) -> Fault:
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

    def set_limits(self, **changes) -> None:
        known = {f.name for f in fields(Limits)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        limits = replace(self.limits, **changes)
        # A limit of the wrong type would be accepted here and crash every later request.
        _check_numbers(limits, {f.name: float if isinstance(f.default, float) else int for f in fields(Limits)})
        self.limits = limits

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
        self.limits = Limits()

    @contextmanager
    def inject(self, *faults: Fault, **limits) -> Iterator[FaultPlan]:
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

    def describe(self) -> dict:
        return {"limits": asdict(self.limits), "faults": [asdict(f) for f in self.faults], "stats": dict(self.stats)}


_OPTIONAL = {"retry_after", "v2_batch_rows", "page_rows"}


def _check_numbers(obj: object, kinds: dict[str, type]) -> None:
    """Each named attribute is a number of its kind (ints allowed for floats; never booleans),
    not negative (a fault's count may be -1: every request); optional ones may be None."""
    for name, kind in kinds.items():
        value = getattr(obj, name)
        if value is None and name in _OPTIONAL:
            continue
        allowed = (int, float) if kind is float else (int,)
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise ValueError(f"{name} must be {'a number' if kind is float else 'an integer'}, not {value!r}")
        if value < (-1 if name == "count" else 0):
            raise ValueError(f"{name} must not be negative, not {value!r}")


class InjectedReset(Exception):
    """Raised inside the server to drop a connection mid-body (the 'reset' fault)."""


class FaultMiddleware:
    """ASGI middleware applying the plan's latency, concurrency limit and faults."""

    def __init__(self, app, plan: FaultPlan) -> None:
        self.app, self.plan = app, plan
        self.in_flight = 0
        plan.stats = {"requests": 0, "busy_rejections": 0, "faults_injected": 0}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__cdpdb"):
            await self.app(scope, receive, send)
            return
        from cdpdb.local.errors import HTML_ERROR_PAGE, error_body  # errors → oauth → jwt: load on first use

        limits, path, stats = self.plan.limits, scope["path"], self.plan.stats
        stats["requests"] += 1
        self.in_flight += 1  # a request counts as running from arrival, latency included
        try:
            if limits.latency_ms:
                await asyncio.sleep(limits.latency_ms / 1000)
            if self.in_flight > limits.max_concurrent:
                stats["busy_rejections"] += 1
                message = f"more than {limits.max_concurrent} concurrent requests; retry after the Retry-After delay"
                await _send(
                    send,
                    429,
                    error_body(path, 429, message, "REQUEST_LIMIT_EXCEEDED"),
                    retry_after=limits.retry_after_seconds,
                )
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
                code = "REQUEST_LIMIT_EXCEEDED" if fault.status == 429 else "SERVICE_UNAVAILABLE"
                message = f"injected fault: HTTP {fault.status}"
                await _send(
                    send, fault.status, error_body(path, fault.status, message, code), retry_after=fault.retry_after
                )
            elif fault.kind == "html":
                await _send(send, fault.status, HTML_ERROR_PAGE, content_type=b"text/html; charset=utf-8")
            else:
                await self._mangle(fault, scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _mangle(self, fault: Fault, scope, receive, send) -> None:
        start: dict = {}
        body = bytearray()

        async def capture(message) -> None:
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
    send, status: int, body: bytes, *, content_type: bytes = b"application/json", retry_after: float | None = None
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(round(retry_after), 0)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
