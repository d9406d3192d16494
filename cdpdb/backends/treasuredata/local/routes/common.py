"""What every route of the local Treasure Data shares: the server's state, the API key check,
parent segments and segments by id, request bodies and parameters, rules from JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

from cdpdb.backends.treasuredata import rules, wire
from cdpdb.backends.treasuredata.local.backend import Backend
from cdpdb.backends.treasuredata.local.keys import MASTER
from cdpdb.backends.treasuredata.local.limits import Limits
from cdpdb.backends.treasuredata.local.model import ParentSegment, Segment, User
from cdpdb.backends.treasuredata.local.rulesql import UnsupportedRule
from cdpdb.local.errors import ApiError
from cdpdb.local.routetable import COMMON_ERRORS, Param

#: Every Audience API call may also be refused (403): a write-only key.
ERRORS = (*COMMON_ERRORS, 403)
AUDIENCE = Param("audience_id", "path", "integer")
SEGMENT = Param("segment_id", "path", "integer")
FOLDER = Param("folder_id", "path", "integer")


@dataclass(frozen=True)
class Server:
    """What the handlers need of the running server (``app.state.server``)."""

    backend: Backend
    admin_key: str
    openapi: dict[str, Any]


def server(request: Request) -> Server:
    found: Server = request.app.state.server
    return found


def backend(request: Request) -> Backend:
    return server(request).backend


def limits(request: Request) -> Limits:
    found: Limits = backend(request).faults.limits  # type: ignore[assignment]
    return found


def user(request: Request) -> User:
    """The user of the request's master key: 401 without a valid key, 403 for a write-only key."""
    scheme, _, key = request.headers.get(wire.AUTH_HEADER, "").partition(" ")
    found = backend(request).keys.find(key.strip()) if scheme == wire.AUTH_SCHEME else None
    if found is None:
        raise ApiError(401, wire.UNAUTHORIZED_MESSAGE)
    if found.kind != MASTER:
        raise ApiError(403, "this API key is write-only (for importing data); the Audience API needs a master key")
    return found.user


def identifier(request: Request, name: str, what: str) -> str:
    raw = request.path_params[name]
    if not raw.isdigit() or len(raw) > 18:
        raise ApiError(400, f"{what} id must be a positive integer, not {raw!r}")
    return str(int(raw))


def parent(request: Request) -> ParentSegment:
    audience_id = identifier(request, "audience_id", "the parent segment")
    found = backend(request).store.parents.get(audience_id)
    if found is None:
        raise ApiError(404, f"parent segment {audience_id} was not found")
    return found


def segment(request: Request, audience: ParentSegment) -> Segment:
    segment_id = identifier(request, "segment_id", "the segment")
    found = backend(request).store.segments.get(segment_id)
    if found is None or found.audience_id != audience.id:
        raise ApiError(404, f"segment {segment_id} was not found in parent segment {audience.id}")
    return found


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return body


def rule_of(body: dict[str, Any]) -> rules.Rule | None:
    """The body's ``rule``: 400 naming the bad part when it is not a v5 rule."""
    try:
        return rules.from_json(body.get("rule"))
    except rules.RuleError as exc:
        raise ApiError(400, f"invalid rule: {exc}") from None


def unsupported(exc: rules.RuleError) -> ApiError:
    """A rule this parent segment cannot evaluate (unknown attribute, wrong type): 422."""
    status = 422 if isinstance(exc, UnsupportedRule) else 400
    return ApiError(status, f"invalid rule: {exc}")


def int_field(body: dict[str, Any], name: str, default: int | None, low: int, high: int | None = None) -> int | None:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ApiError(400, f"{name} must be an integer {bound}, not {value!r}")
    return value


def int_param(request: Request, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    source = {"source": {"parameter": name}}  # JSON:API answers name the parameter
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"query parameter {name} must be an integer, not {raw!r}", details=source) from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ApiError(400, f"query parameter {name} must be {bound}, not {value}", details=source)
    return value
