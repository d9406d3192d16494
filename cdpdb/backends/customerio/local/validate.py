"""The local Customer.io's reading of a request: auth, sizes, and each call's required fields.

Strict mode (``X-Strict-Mode: 1``) answers what is wrong: 401 for a bad key, 400 for a body too
big, not JSON, or with an invalid call — the whole request is then not processed (UNCONFIRMED:
the docs say strict mode returns "real 400/401 errors", not whether a batch is taken in part).
Without strict mode the service answers 200 anyway: a request too big or badly authorised is
not processed at all, and a batch's invalid calls are dropped while its valid ones are kept.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

import orjson

from cdpdb.backends.customerio import wire


class Refused(Exception):
    """Why a request is not processed: its status in strict mode (400, 401)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def key_of(authorization: str | None, keys: set[str]) -> str:
    """The source key a request authenticates with: Basic (key, empty password) or Bearer (pk_/sk_)."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, _password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Refused(401, "the Authorization header is not Basic base64(api key + ':')") from None
        key = user
    elif scheme.lower() == "bearer" and wire.REGION_KEY.match(value):
        key = value
    else:
        raise Refused(401, "send the source's API key as Basic auth (the key as user name, an empty password)")
    if key not in keys:
        raise Refused(401, "the API key is not a key of any source")
    return key


@dataclass
class Checked:
    valid: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)  # (position in the request, why)


def calls_of(path: str, raw: bytes, max_call: int, max_batch: int) -> Checked:
    """The request's calls, each checked; Refused for a body too big or not a JSON object."""
    batch = path == wire.BATCH
    limit = max_batch if batch else max_call
    if len(raw) > limit:
        raise Refused(400, f"the request is {len(raw):,} bytes, over the limit of {limit:,} bytes")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Refused(400, f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Refused(400, "the body must be a JSON object")
    if batch:
        items = body.get(wire.BATCH_KEY)
        if not isinstance(items, list):
            raise Refused(400, 'a batch body is {"batch": [calls]}')
        shared = {k: body[k] for k in (wire.CONTEXT, wire.INTEGRATIONS) if isinstance(body.get(k), dict)}
    else:
        items, shared = [{**body, wire.TYPE: path.rsplit("/", 1)[1]}], {}
    checked = Checked()
    for number, call in enumerate(items):
        why = _problem(call, max_call if batch else None)  # a single call's size is its request's
        if why:
            checked.invalid.append((number, why))
        else:
            checked.valid.append({**call, **shared} if shared else call)
    return checked


def _problem(call: Any, max_call: int | None) -> str | None:
    if not isinstance(call, dict):
        return "a call must be a JSON object"
    kind = call.get(wire.TYPE)
    if kind not in wire.CALL_TYPES:
        return f"type must be one of {', '.join(wire.CALL_TYPES)}, not {kind!r}"
    size = len(orjson.dumps(call)) if max_call is not None else 0
    if max_call is not None and size > max_call:
        return f"the call is {size:,} bytes, over the limit of {max_call:,} per call"
    if kind == "alias":
        if not call.get(wire.USER_ID) or not call.get(wire.PREVIOUS_ID):
            return "an alias call needs userId and previousId"
        return None
    email = (call.get(wire.TRAITS) or {}).get("email") if kind == "identify" else None
    if not any(call.get(f) for f in wire.IDENTITY_FIELDS) and not email:
        return f"a {kind} call needs userId or anonymousId"
    for name in wire.REQUIRED[kind]:
        if not call.get(name):
            return f"a {kind} call needs {name}"
    bag = wire.BAG.get(kind)
    if bag and call.get(bag) is not None and not isinstance(call[bag], dict):
        return f"{bag} must be an object"
    return None
