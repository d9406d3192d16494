"""Webhook signatures: genuine, fresh bodies pass; tampered, stale, unsigned or wrongly keyed
ones are refused — in the function and through the documented Starlette receiver over HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import importlib
import json
import socket
import threading
import time

import pytest
import requests

from cdpdb.webhooks import WebhookVerificationError, sign, verify

SECRET = "s3cr3t-key-from-setup"
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.timezone.utc)


def body_at(created: dt.datetime, **extra) -> bytes:
    payload = {
        "creationDateTime": created.isoformat().replace("+00:00", "Z"),
        "count": 1,
        "schemas": [{"schemaId": "OrderShipped", "schema": {}}],
        "events": [{"EventUuid": "e-1", "EventPrompt": "INSERT", "PayloadCurrentValue": '{"Id__c": "ó"}'}],
        **extra,
    }
    return json.dumps(payload, ensure_ascii=False).encode()


def test_genuine_body_passes_in_hex_and_base64():
    body = body_at(NOW - dt.timedelta(seconds=30))
    assert verify(body, {"x-signature": sign(body, SECRET)}, SECRET, now=NOW)["count"] == 1
    b64 = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert verify(body, {"X-Signature": b64}, SECRET, now=NOW)["events"][0]["EventUuid"] == "e-1"
    epoch_ms = json.dumps({"creationDateTime": int(NOW.timestamp() * 1000), "events": []}).encode()
    assert verify(epoch_ms, {"X-Signature": sign(epoch_ms, SECRET)}, SECRET, now=NOW)["events"] == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b, s: (b.replace(b'"count": 1', b'"count": 2'), s), "does not match"),
        (lambda b, s: (b, sign(b, "another-key")), "does not match"),
        (lambda b, s: (b, s[:-2]), "neither a hex nor a base64"),
        (lambda b, s: (b, ""), "no X-Signature header"),
    ],
)
def test_tampered_or_unsigned_bodies_are_refused(change, message):
    body = body_at(NOW)
    body, signature = change(body, sign(body, SECRET))
    headers = {"X-Signature": signature} if signature else {}
    with pytest.raises(WebhookVerificationError, match=message):
        verify(body, headers, SECRET, now=NOW)


def test_stale_and_future_bodies_are_refused():
    for skew in (-301, 301):
        body = body_at(NOW + dt.timedelta(seconds=skew))
        with pytest.raises(WebhookVerificationError, match="beyond the 300 s"):
            verify(body, {"X-Signature": sign(body, SECRET)}, SECRET, now=NOW)
    old = body_at(NOW - dt.timedelta(days=3))
    assert verify(old, {"X-Signature": sign(old, SECRET)}, SECRET, tolerance=None, now=NOW)["count"] == 1
    undated = json.dumps({"events": []}).encode()
    with pytest.raises(WebhookVerificationError, match="no creationDateTime"):
        verify(undated, {"X-Signature": sign(undated, SECRET)}, SECRET, now=NOW)


def test_parsed_json_is_refused_because_the_signature_covers_bytes():
    with pytest.raises(TypeError, match="raw request body"):
        verify({"count": 1}, {"X-Signature": "00"}, SECRET)  # type: ignore[arg-type]


@pytest.fixture
def receiver(monkeypatch):
    import uvicorn

    monkeypatch.setenv("CDPDB_WEBHOOK_SECRET", SECRET)
    module = importlib.reload(importlib.import_module("docs.examples.webhook_receiver"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(module.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}/data-action", module.received
    server.should_exit = True
    thread.join(5)


def test_documented_receiver_accepts_genuine_and_refuses_forged(receiver):
    url, received = receiver
    body = body_at(dt.datetime.now(dt.timezone.utc))
    ok = requests.post(url, data=body, headers={"X-Signature": sign(body, SECRET)}, timeout=10)
    assert ok.status_code == 200 and ok.json() == {"accepted": 1} and received[0]["EventUuid"] == "e-1"
    forged = requests.post(url, data=body, headers={"X-Signature": sign(body, "guess")}, timeout=10)
    assert forged.status_code == 401 and "does not match" in forged.json()["error"]
    assert len(received) == 1
