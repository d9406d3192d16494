"""Checking that a request to a webhook data action target really comes from Data Cloud.

Data Cloud signs each webhook body with HMAC-SHA256 under the secret key generated for the target.
Salesforce documents the algorithm but not the header or the encoding (UNCONFIRMED): we read the
``X-Signature`` header (the name a third-party summary reports; ``header=`` changes it) and accept
the digest hex- or base64-encoded, since both spell the same 32 bytes. The signature covers the
raw body bytes, so verify before parsing. A body whose ``creationDateTime`` is older (or further in
the future) than ``tolerance`` seconds is refused: a captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from cdpdb.exceptions import ProgrammingError

SIGNATURE_HEADER = "X-Signature"
DEFAULT_TOLERANCE = 300.0  # seconds between Data Cloud creating the body and the target checking it


class WebhookVerificationError(ProgrammingError):
    """The request is not a genuine, fresh Data Cloud webhook: answer it with 401 and drop it."""


def sign(body: bytes, secret: str | bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` (for tests of your own receiver)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _digest(signature: str) -> bytes:
    text = signature.strip().removeprefix("sha256=")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
    if len(raw) != hashlib.sha256().digest_size:
        raise WebhookVerificationError("the signature is neither a hex nor a base64 HMAC-SHA256 digest")
    return raw


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def _created(payload: Any) -> dt.datetime:
    value = payload.get("creationDateTime") if isinstance(payload, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value / 1000, dt.timezone.utc)  # epoch milliseconds
    if isinstance(value, str):
        try:
            created = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise WebhookVerificationError(f"creationDateTime {value!r} is not a date and time") from None
        return created if created.tzinfo else created.replace(tzinfo=dt.timezone.utc)
    raise WebhookVerificationError("the body has no creationDateTime, so its age cannot be checked")


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str | bytes,
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    header: str = SIGNATURE_HEADER,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The webhook's payload, once its signature matches ``secret`` (in constant time) and it is
    fresh; otherwise :class:`WebhookVerificationError`. ``tolerance=None`` skips the age check
    (only for bodies you have stored yourself)."""
    if not isinstance(body, bytes | bytearray):
        raise TypeError("pass the raw request body as bytes: the signature covers the bytes as sent")
    signature = _header(headers, header)
    if not signature:
        raise WebhookVerificationError(f"the request has no {header} header: it was not signed by Data Cloud")
    if not secret:
        raise WebhookVerificationError("no secret key given: copy it from the webhook target in Data Cloud Setup")
    key = secret.encode() if isinstance(secret, str) else secret
    expected = hmac.new(key, bytes(body), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _digest(signature)):
        raise WebhookVerificationError(
            "the signature does not match: the body was changed, or the secret key is not this target's "
            "(a regenerated key takes up to 15 minutes to take effect)"
        )
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise WebhookVerificationError(f"the signed body is not JSON ({exc})") from None
    if tolerance is not None:
        age = ((now or dt.datetime.now(dt.timezone.utc)) - _created(payload)).total_seconds()
        if abs(age) > tolerance:
            raise WebhookVerificationError(
                f"the webhook was created {age:.0f} s ago, beyond the {tolerance:.0f} s allowed: a replay, or a "
                "clock out of step (raise tolerance= if your receiver is known to lag)"
            )
    return payload  # type: ignore[no-any-return]
