"""One local Treasure Data per test session; every test talks HTTPS to it with ``requests``."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from cdpdb.backends.treasuredata.local import serve
from tests.conftest import ISSUED_SECRETS

CUSTOMERS_JP, B2B = "300001", "300002"


class Http:
    """Raw HTTP access to a local Treasure Data, the way any client would call it."""

    def __init__(self, td) -> None:
        self.td = td
        self.session = requests.Session()
        self.session.trust_env = False  # the machine's CA bundle variables would override ``verify``
        self.session.verify = td.ca_path

    def call(self, method: str, path: str, key: str | None = "master", **kwargs: Any) -> requests.Response:
        keys = {"master": self.td.apikey, "other": self.td.other_apikey, "write": self.td.write_only_apikey}
        headers = dict(kwargs.pop("headers", {}))
        if key is not None:
            headers["Authorization"] = f"TD1 {keys.get(key, key)}"
        return self.session.request(method, self.td.site_url + path, headers=headers, timeout=60, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.call(method, path, **kwargs)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
        return answer.json()

    # -- segment queries ----------------------------------------------------------------------------

    def submit(self, rule: Any, audience: str = CUSTOMERS_JP, **body: Any) -> dict[str, Any]:
        return self.ok("POST", f"/audiences/{audience}/segments/queries", json={"rule": rule, **body})

    def wait(self, query_id: str, audience: str = CUSTOMERS_JP, key: str = "master") -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while True:
            status = self.ok("GET", f"/audiences/{audience}/segments/queries/{query_id}", key=key)
            if status["status"] != "running" or time.monotonic() > deadline:
                return status
            time.sleep(0.02)

    def rows(
        self, rule: Any, audience: str = CUSTOMERS_JP, **body: Any
    ) -> tuple[dict[str, Any], list[str], list[list[Any]]]:
        """Run a segment query to the end: (final status, names, every row of every page)."""
        query = self.submit(rule, audience, **body)
        status = self.wait(query["id"], audience)
        assert status["status"] == "success", status
        names: list[str] = []
        rows: list[list[Any]] = []
        for page in range(1, 10_000):
            answer = self.ok("GET", f"/audiences/{audience}/segments/queries/{query['id']}/customers?page={page}")
            if answer["type"] == "end":
                names = answer["names"]
                break
            assert answer["type"] == "rows", answer
            rows += answer["rows"]
        return status, names, rows

    def ids(self, rule: Any, audience: str = CUSTOMERS_JP) -> set[str]:
        _, _, rows = self.rows(rule, audience, columns=["cdp_customer_id"])
        return {row[0] for row in rows}

    def direct(self, sql: str, audience: str = CUSTOMERS_JP) -> list[dict[str, Any]]:
        """What the engine itself answers (the reference every rule is compared with)."""
        return self.td.engine.query_arrow(f"cdp_audience_{audience}", sql).to_pylist()


@pytest.fixture(scope="session")
def td():
    with serve(scale=1000, seed=42) as server:
        ISSUED_SECRETS.update({server.apikey, server.other_apikey, server.write_only_apikey, server.admin_key})
        yield server


@pytest.fixture(scope="session")
def http(td) -> Http:
    return Http(td)


@pytest.fixture(autouse=True)
def _clean_td_faults(request):
    """Faults and limits a test planted on the shared local Treasure Data end with it."""
    yield
    if "td" in request.fixturenames or "http" in request.fixturenames:
        request.getfixturevalue("td").faults.clear()


def value(name: Any, op: str, right: Any = None, *, rights: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A Value condition in the API's JSON."""
    operator: dict[str, Any] = {"type": op, "not": extra.pop("not_", False)}
    if right is not None:
        operator["rightValue"] = right
    if rights is not None:
        operator["rightValues"] = rights
    for key in ("minValue", "maxValue"):
        if key in extra:
            operator[key] = extra.pop(key)
    left = {"name": name} if isinstance(name, str) else name
    return {
        "type": "Value",
        "leftValue": left,
        "operator": operator,
        "exclude": extra.pop("exclude", False),
        "arrayMatching": extra.pop("arrayMatching", None),
        "limit": None,
    }


def rule(*conditions: dict[str, Any], kind: str = "And", expr: str | None = None, **outer: Any) -> dict[str, Any]:
    """A rule with its conditions in one condition set of ``kind``, as TD's UI saves them."""
    inner: dict[str, Any] = {"type": kind, "conditions": list(conditions)}
    if expr is not None:
        inner["expr"] = expr
    return {"type": "And", "conditions": [inner], **outer}
