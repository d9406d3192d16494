"""One local Crescendo Lab per test module (TLS and all), emptied before each test, with the rate
window shortened from 60 s to 1 s so the rate limit is real but tests stay fast."""

from __future__ import annotations

import pytest
import requests

import cdpdb
from cdpdb.backends.crescendolab.local import LocalCrescendo

TEST_WINDOW = 1.0


@pytest.fixture(scope="module")
def crescendo():
    with LocalCrescendo() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh(request):
    if "crescendo" in request.fixturenames:
        server = request.getfixturevalue("crescendo")
        server.reset()
        server.faults.set_limits(rate_window_seconds=TEST_WINDOW)
    yield


@pytest.fixture
def connect(crescendo):
    opened = []

    def open_(**overrides):
        connection = cdpdb.connect(backend="crescendolab", **crescendo.connect_args(**overrides))
        opened.append(connection)
        return connection

    yield open_
    for connection in opened:
        connection.close()


def call(server, method: str, path: str, *, token: str | None = None, **kwargs) -> requests.Response:
    """A raw request to the local server, as any HTTP client would send it."""
    headers = {"Authorization": f"Bearer {token if token is not None else server.token}"}
    return requests.request(
        method, server.base_url + path, headers=headers, verify=server.ca_path, timeout=30, **kwargs
    )


def imports_sent(server) -> list[dict[str, str]]:
    return [q for method, path, q in server.requests if method == "POST" and path.endswith("/import/")]
