"""One local Customer.io per test module (TLS and all), emptied before each test."""

from __future__ import annotations

import base64

import pytest
import requests

import cdpdb
from cdpdb.backends.customerio import wire
from cdpdb.backends.customerio.local import LocalCustomerIo


@pytest.fixture(scope="module")
def cio():
    with LocalCustomerIo() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh(request):
    if "cio" in request.fixturenames:
        server = request.getfixturevalue("cio")
        server.clear()
        server.faults.clear()
        server.server.window = type(server.server.window)()
    yield


@pytest.fixture
def connect(cio):
    opened = []

    def open_(**overrides):
        connection = cdpdb.connect(backend="customerio", **cio.connect_args(**overrides))
        opened.append(connection)
        return connection

    yield open_
    for connection in opened:
        connection.close()


def post(cio, path: str, body: bytes, *, strict: bool = True, key: str | None = None) -> requests.Response:
    """A raw request to the local server, as any HTTP client would send it."""
    login = base64.b64encode(f"{key if key is not None else cio.api_key}:".encode()).decode()
    headers = {"Authorization": f"Basic {login}", "Content-Type": "application/json"}
    if strict:
        headers[wire.STRICT_HEADER] = wire.STRICT_ON
    return requests.post(cio.base_url + path, data=body, headers=headers, verify=cio.ca_path, timeout=30)


def message_ids(cio, kind: str | None = None) -> list[str]:
    return [c["messageId"] for c in cio.received(kind)]
