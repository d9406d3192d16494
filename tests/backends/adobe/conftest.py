"""One local Adobe per test session; every test talks HTTPS to it (the DB-API through cdpdb,
raw calls through ``requests``), and its request log shows what each statement pushed down."""

from __future__ import annotations

from typing import Any

import pytest
import requests

import cdpdb
from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local import serve
from tests.conftest import ISSUED_SECRETS


def _record_tokens(server) -> None:
    grant = server.ims.grant

    def recorded(*args: Any, **kwargs: Any) -> str | None:
        token = grant(*args, **kwargs)
        if token:
            ISSUED_SECRETS.add(token)
        return token

    server.ims.grant = recorded


@pytest.fixture(scope="session")
def adobe():
    with serve(scale=1000, seed=42) as server:
        ISSUED_SECRETS.update({server.credential.client_secret, server.prod_only_credential.client_secret})
        _record_tokens(server)
        yield server


@pytest.fixture(autouse=True)
def _clean_adobe(request):
    """Faults, limits and the request log of the shared local Adobe start clean for each test."""
    if "adobe" in request.fixturenames:
        request.getfixturevalue("adobe").requests.clear()
    yield
    if "adobe" in request.fixturenames:
        request.getfixturevalue("adobe").faults.clear()


@pytest.fixture
def conn(adobe):
    connection = cdpdb.connect(backend="adobe", **adobe.connect_args())
    adobe.requests.clear()  # the tests look at what their statements asked, not at connecting
    yield connection
    connection.close()


def rows(conn, sql: str, parameters: Any = None) -> list[tuple[Any, ...]]:
    cursor = conn.cursor()
    cursor.execute(sql, parameters)
    return cursor.fetchall()


def entity_calls(adobe, method: str | None = None):
    return adobe.requests.find(method, wire.ENTITIES)


class Http:
    """Raw HTTP to the local Adobe, the way any client would call it."""

    def __init__(self, server) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = server.ca_path
        self._token: str | None = None

    def token(self, credential=None) -> str:
        credential = credential or self.server.credential
        answer = self.session.post(
            self.server.url + wire.IMS_TOKEN,
            data={
                "grant_type": "client_credentials",
                "client_id": credential.client_id,
                "client_secret": credential.client_secret,
                "scope": wire.DEFAULT_SCOPES,
            },
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    def headers(self, sandbox: str = "prod", **override: str) -> dict[str, str]:
        if self._token is None:
            self._token = self.token()
        base = {
            wire.AUTHORIZATION: f"Bearer {self._token}",
            wire.API_KEY: self.server.credential.client_id,
            wire.ORG_ID: self.server.org_id,
            wire.SANDBOX: sandbox,
        }
        base.update(override)
        return {k: v for k, v in base.items() if v is not None}

    def call(
        self, method: str, path: str, sandbox: str = "prod", headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        sent = headers if headers is not None else self.headers(sandbox)
        answer = self.session.request(method, self.server.url + path, headers=sent, timeout=60, **kwargs)
        if answer.status_code == 401 and headers is None:  # another test expired every token
            self._token = None
            answer = self.session.request(
                method, self.server.url + path, headers=self.headers(sandbox), timeout=60, **kwargs
            )
        return answer


@pytest.fixture(scope="session")
def http(adobe) -> Http:
    return Http(adobe)
