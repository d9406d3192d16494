"""What the local Adobe was asked: every request's method, path, query and JSON body, so tests
prove what a statement pushed down. The IMS token request is recorded without its body (it
carries the client secret)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from cdpdb.backends.adobe import wire


@dataclass(frozen=True)
class Logged:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    sandbox: str | None


class RequestLog:
    def __init__(self, limit: int = 100_000) -> None:
        self.entries: list[Logged] = []
        self._lock = threading.Lock()
        self.limit = limit

    def add(self, entry: Logged) -> None:
        with self._lock:
            self.entries.append(entry)
            if len(self.entries) > self.limit:
                del self.entries[: len(self.entries) - self.limit]

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()

    def find(self, method: str | None = None, path: str | None = None) -> list[Logged]:
        with self._lock:
            return [
                e for e in self.entries if (method is None or e.method == method) and (path is None or e.path == path)
            ]


class RequestLogMiddleware:
    """ASGI middleware recording each request as it reaches the app (faults included)."""

    def __init__(self, app: Any, log: RequestLog) -> None:
        self.app, self.log = app, log

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        logged = False

        async def recording() -> Any:
            message = await receive()
            if message.get("type") == "http.request":
                chunks.append(message.get("body", b""))
            return message

        def log_it() -> None:
            nonlocal logged
            if logged:
                return
            logged = True
            path = scope["path"]
            body: Any = None
            raw = b"".join(chunks)
            if raw and path != wire.IMS_TOKEN:
                try:
                    body = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    body = raw.decode(errors="replace")
            headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
            query = dict(parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True))
            self.log.add(Logged(scope["method"], path, query, body, headers.get(wire.SANDBOX)))

        async def sending(message: Any) -> None:
            if message.get("type") == "http.response.start":
                log_it()  # before the caller can see the answer, so a test reading the log never races it
            await send(message)

        try:
            await self.app(scope, recording, sending)
        finally:
            log_it()
