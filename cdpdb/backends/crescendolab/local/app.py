"""The local Crescendo Lab's ASGI app: the member list, the import and export task life cycles
(one of each at a time, imports at most 10,000 rows / 10 MB and 15 a minute), task status,
downloadable files (mismatch reports, exports), a request log, and the kit's faults in front.

Tasks run in a background thread: ``pending`` → ``processing`` → ``done`` over
``limits.task_seconds`` (0: at once), so a client must poll."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.crescendolab import wire
from cdpdb.backends.crescendolab.local.store import Contacts, Task
from cdpdb.local.faults import FaultMiddleware, FaultPlan, ServerLimits
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Endpoint, Param, openapi, starlette_routes

# Where mismatch reports and exports are downloaded (a signed-link stand-in): outside the exempt
# prefix, so the kit's faults reach downloads as they reach the API.
FILES = "/files/{name}"
ADMIN_PREFIX = "/__cdpdb"


@dataclass
class Limits(ServerLimits):
    """The documented limits as defaults; tests shorten the rate window instead of waiting a minute."""

    max_concurrent: int = 64
    max_import_rows: int = wire.MAX_IMPORT_ROWS
    max_import_bytes: int = wire.MAX_IMPORT_BYTES
    rate_requests: int = wire.RATE_REQUESTS
    rate_window_seconds: float = wire.RATE_WINDOW_SECONDS
    task_seconds: float = 0.0  # how long a task stays pending + processing
    member_page_rows: int = wire.MEMBER_PAGE_ROWS


@dataclass
class Server:
    tokens: set[str]
    faults: FaultPlan
    contacts: Contacts
    tasks: dict[str, Task] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    imports: deque[float] = field(default_factory=deque)  # start times of recent import requests
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (method, path, query)
    # A fault of the service's bookkeeping: each successful import task takes the next offsets
    # ({report count: offset}) and reports its counts off by them (its rows are applied all the same).
    miscounts: deque[dict[str, int]] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def limits(self) -> Limits:
        assert isinstance(self.faults.limits, Limits)
        return self.faults.limits

    def running(self, kind: str) -> Task | None:
        return next((t for t in self.tasks.values() if t.kind == kind and t.status != wire.DONE), None)

    def admit(self) -> float | None:
        """None if one more import fits the rate; else the seconds until one does."""
        limits, clock = self.limits, time.monotonic()
        while self.imports and self.imports[0] <= clock - limits.rate_window_seconds:
            self.imports.popleft()
        if len(self.imports) >= limits.rate_requests:
            return self.imports[0] + limits.rate_window_seconds - clock
        self.imports.append(clock)
        return None


def error_body(path: str, status: int, message: str) -> bytes:
    """Errors as ``{"detail": ...}`` (UNCONFIRMED: the OpenAPI shows none; Django REST framework's shape)."""
    return orjson.dumps({"detail": message})


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(error_body("", status, message), status, headers, "application/json")


def _server(request: Request) -> Server:
    server: Server = request.app.state.server
    server.requests.append((request.method, request.url.path, dict(request.query_params)))
    return server


def _refused_login(request: Request, server: Server) -> Response | None:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or token not in server.tokens:
        return _error(401, "Authentication credentials were not provided or are not valid (Bearer token)")
    return None


def _run(server: Server, task: Task, work: Any) -> None:
    def background() -> None:
        time.sleep(server.limits.task_seconds / 2)
        task.status = wire.PROCESSING
        time.sleep(server.limits.task_seconds / 2)
        work()
        task.status = wire.DONE

    threading.Thread(target=background, name=f"crescendo-task-{task.id}", daemon=True).start()


def _file_url(request: Request, server: Server, data: bytes, suffix: str) -> str:
    name = secrets.token_urlsafe(12) + suffix
    server.files[name] = data
    return str(request.base_url).rstrip("/") + FILES.format(name=name)


async def start_import(request: Request) -> Response:
    server = _server(request)
    refused = _refused_login(request, server)
    if refused:
        return refused
    limits = server.limits
    with server.lock:
        wait = server.admit()
        if wait is not None:
            server.contacts.stats["rate_limited"] += 1
            message = f"more than {limits.rate_requests} imports in {limits.rate_window_seconds:g} s"
            return _error(429, message, {"Retry-After": str(max(round(wait + 0.5), 1))})
        busy = server.running("import")
        if busy:
            server.contacts.stats["busy"] += 1
            return _error(wire.BUSY_STATUS, f"import task {busy.id} is still {busy.status}; one import runs at a time")
    raw = await request.body()
    if len(raw) > limits.max_import_bytes:
        return _error(413, f"the import is {len(raw):,} bytes, over the limit of {limits.max_import_bytes:,}")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return _error(400, f"the body is not JSON: {exc}")
    key = body.get(wire.IMPORT_KEY) if isinstance(body, dict) else None
    data = body.get(wire.DATA) if isinstance(body, dict) else None
    if key not in wire.IMPORT_KEYS or not isinstance(data, list):
        return _error(400, f'the body is {{"import_key": one of {", ".join(wire.IMPORT_KEYS)}, "data": [...]}}')
    if len(data) > limits.max_import_rows:
        return _error(400, f"the import has {len(data):,} rows, over the limit of {limits.max_import_rows:,}")
    with server.lock:
        busy = server.running("import")  # checked again: the body was read outside the lock
        if busy:
            return _error(wire.BUSY_STATUS, f"import task {busy.id} is still {busy.status}; one import runs at a time")
        task = Task(secrets.token_hex(8), "import")
        server.tasks[task.id] = task
    server.contacts.stats["imports"] += 1
    base = str(request.base_url)

    def work() -> None:
        result, report, mismatches = server.contacts.run_import(key, data)
        with server.lock:
            offsets = server.miscounts.popleft() if result == wire.SUCCESS and server.miscounts else {}
        for count, offset in offsets.items():
            report[count] += offset
        if mismatches:
            lines = "row,reason\n" + "".join(f'{row},"{why.replace(chr(34), chr(39))}"\n' for row, why in mismatches)
            name = secrets.token_urlsafe(12) + ".csv"
            server.files[name] = lines.encode()
            report[wire.MISMATCH_LINK] = base.rstrip("/") + FILES.format(name=name)
        task.result, task.report = result, report

    _run(server, task, work)
    return JSON({wire.TASK_ID: task.id, wire.RESULT: wire.PENDING})


async def task_status(request: Request) -> Response:
    server = _server(request)
    refused = _refused_login(request, server)
    if refused:
        return refused
    kind = "import" if "import" in request.url.path else "export"
    task = server.tasks.get(request.path_params["task_id"])
    if task is None or task.kind != kind:
        return _error(404, f"there is no {kind} task {request.path_params['task_id']}")
    return JSON(task.answer())


async def start_export(request: Request) -> Response:
    server = _server(request)
    refused = _refused_login(request, server)
    if refused:
        return refused
    with server.lock:
        busy = server.running("export")
        if busy:
            return _error(wire.BUSY_STATUS, f"export task {busy.id} is still {busy.status}; one export runs at a time")
        task = Task(secrets.token_hex(8), "export")
        server.tasks[task.id] = task
    base = str(request.base_url).rstrip("/")

    def work() -> None:
        name = secrets.token_urlsafe(12) + ".csv"
        server.files[name] = server.contacts.export_csv()
        task.result, task.download_url = wire.SUCCESS, base + FILES.format(name=name)

    _run(server, task, work)
    return JSON({wire.TASK_ID: task.id, wire.RESULT: wire.PENDING})


async def download(request: Request) -> Response:
    server = _server(request)
    data = server.files.get(request.path_params["name"])
    if data is None:
        return _error(404, "no such file (links last 7 days)")
    return Response(data, 200, None, "text/csv")


def _paged(request: Request, server: Server, rows: list[dict[str, Any]]) -> Response:
    start = request.query_params.get(wire.START, "0")
    try:
        offset = int(start, 16)
    except ValueError:
        return _error(400, f"start {start!r} is not a cursor this server gave")
    size = server.limits.member_page_rows
    more = offset + size < len(rows)
    return JSON({wire.RESULTS: rows[offset : offset + size], wire.NEXT: format(offset + size, "x") if more else None})


async def segments(request: Request) -> Response:
    server = _server(request)
    refused = _refused_login(request, server)
    if refused:
        return refused
    with server.contacts.lock:
        rows = [{k: v for k, v in s.items() if k != "line_uids"} for s in server.contacts.segments.values()]
    return _paged(request, server, rows)


async def segment_members(request: Request) -> Response:
    server = _server(request)
    refused = _refused_login(request, server)
    if refused:
        return refused
    try:
        segment = server.contacts.segments[int(request.path_params["segment_id"])]
    except (KeyError, ValueError):
        return _error(404, f"there is no segment {request.path_params['segment_id']}")
    return Response("line_uid\n" + "".join(f"{uid}\n" for uid in segment["line_uids"]), 200, None, "text/csv")


async def tags(request: Request) -> Response:
    server = _server(request)
    refused = _refused_login(request, server)
    if refused:
        return refused
    return _paged(request, server, server.contacts.tags())


async def members(request: Request) -> Response:
    server = _server(request)
    refused = _refused_login(request, server)
    if refused:
        return refused
    query = dict(request.query_params)
    allowed = {*wire.MEMBER_FILTERS, wire.UPDATED_MIN, wire.UPDATED_MAX, wire.ALL_TAG, wire.START}
    unknown = sorted(set(query) - allowed)
    if unknown:
        return _error(400, f"unknown query parameter(s) {', '.join(unknown)}")
    query.pop(wire.START, None)
    return _paged(request, server, [m for m in server.contacts.members() if _matches(m, query)])


def _matches(member: dict[str, Any], query: dict[str, str]) -> bool:
    for name, value in query.items():
        if name == wire.UPDATED_MIN and not member["updated_at"] >= value:
            return False
        if name == wire.UPDATED_MAX and not member["updated_at"] <= value:
            return False
        if name == wire.ALL_TAG and not all_tags(value) <= {t["name"] for t in member["tags"]}:
            return False
        if name in wire.MEMBER_FILTERS:
            have = member["id"] if name == "member_id" else member.get(name)
            if have is None or str(have) != value:
                return False
    return True


def all_tags(value: str) -> set[str]:
    """The tags ``all_tag`` names: split on the separator, each trimmed, empty ones ignored (so
    ``all_tag=`` filters nothing). A member must carry every one (UNCONFIRMED, see the docs)."""
    return {name.strip() for name in value.split(wire.ALL_TAG_SEPARATOR) if name.strip()}


async def spec(request: Request) -> Response:
    return JSON(request.app.state.openapi)


_TASK = (Param("task_id", "path"),)
_MEMBER_PARAMS = tuple(
    Param(name) for name in (*wire.MEMBER_FILTERS, wire.UPDATED_MIN, wire.UPDATED_MAX, wire.ALL_TAG, wire.START)
)
_IMPORT = {"type": "object", "required": [wire.IMPORT_KEY, wire.DATA]}
ROUTES = [
    Endpoint("GET", wire.MEMBERS, members, "List members (filters, next/start cursor)", _MEMBER_PARAMS),
    Endpoint(
        "POST", wire.IMPORT_PATH, start_import, "Start a contact import", body=_IMPORT, errors=(400, 401, 409, 413, 429)
    ),
    Endpoint("GET", wire.SEGMENTS, segments, "List segments", (Param(wire.START),)),
    Endpoint("GET", wire.SEGMENT_MEMBERS, segment_members, "A segment's members (CSV of line_uid)"),
    Endpoint("GET", wire.TAGS, tags, "List tags", (Param(wire.START),)),
    Endpoint("GET", wire.IMPORT_TASK_PATH, task_status, "An import task's status", _TASK),
    Endpoint("POST", wire.EXPORT_PATH, start_export, "Start a contact export", errors=(401, 409)),
    Endpoint("GET", wire.EXPORT_TASK_PATH, task_status, "An export task's status", _TASK),
    Endpoint("GET", FILES, download, "Download a report or export (CSV)", (Param("name", "path"),)),
    Endpoint("GET", "/openapi.json", spec, "This description", errors=()),
]


def build_app(server: Server) -> Starlette:
    app = Starlette(routes=starlette_routes(ROUTES))
    app.state.server = server
    app.state.openapi = openapi(ROUTES, "local Crescendo Lab", {"bearerAuth": {"type": "http", "scheme": "bearer"}})
    app.add_middleware(FaultMiddleware, plan=server.faults, error_body=error_body, exempt=ADMIN_PREFIX)
    return app
