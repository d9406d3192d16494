"""The local Data Cloud's browser login with plain HTTP: /services/oauth2/authorize with its PKCE
checks (S256 only, single-use and short-lived codes, the verifier and the redirect URI must
match) and the token endpoint's authorization_code and refresh_token grants."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

REDIRECT = "http://127.0.0.1:45678/callback"  # a loopback callback: any port is accepted (RFC 8252)


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Flow:
    def __init__(self, api) -> None:
        self.api, self.cloud = api, api.cloud
        self.verifier = secrets.token_urlsafe(48)

    def authorize(self, **change) -> tuple[int, dict]:
        params = {
            "response_type": "code",
            "client_id": self.cloud.credentials.client_id,
            "redirect_uri": REDIRECT,
            "code_challenge": challenge_of(self.verifier),
            "code_challenge_method": "S256",
            "state": "s1",
            "scope": "api cdp_query_api refresh_token",
            **change,
        }
        params = {k: v for k, v in params.items() if v is not None}
        answer = self.api.http.get(
            f"{self.cloud.login_url}/services/oauth2/authorize", params=params, allow_redirects=False, timeout=30
        )
        if answer.status_code != 302:
            return answer.status_code, answer.json()
        location = urlsplit(answer.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == params["redirect_uri"]
        return 302, {k: v[0] for k, v in parse_qs(location.query).items()}

    def code(self, **change) -> str:
        status, answer = self.authorize(**change)
        assert status == 302 and "code" in answer, answer
        assert answer["state"] == "s1"
        return answer["code"]

    def redeem(self, code: str, **change):
        fields = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": self.cloud.credentials.client_id,
            "redirect_uri": REDIRECT,
            "code_verifier": self.verifier,
            **change,
        }
        return self.api.http.post(
            f"{self.cloud.login_url}/services/oauth2/token",
            data={k: v for k, v in fields.items() if v is not None},
            timeout=30,
        )


@pytest.fixture
def flow(api) -> Flow:
    return Flow(api)


def test_code_for_tokens_then_refresh_then_the_data_cloud_exchange(flow, api):
    answer = flow.redeem(flow.code())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["refresh_token"] and body["scope"] == "api cdp_query_api refresh_token"
    refreshed = api.http.post(
        f"{flow.cloud.login_url}/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": flow.cloud.credentials.client_id,
            "refresh_token": body["refresh_token"],
        },
        timeout=30,
    )
    assert refreshed.status_code == 200, refreshed.text
    exchange = api.http.post(
        f"{flow.cloud.login_url}/services/a360/token",
        data={
            "grant_type": "urn:salesforce:grant-type:external:cdp",
            "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "subject_token": refreshed.json()["access_token"],
        },
        timeout=30,
    )
    assert exchange.status_code == 200 and exchange.json()["access_token"]


def test_a_code_is_single_use(flow):
    code = flow.code()
    assert flow.redeem(code).status_code == 200
    again = flow.redeem(code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_code_is_short_lived(flow):
    with flow.cloud.identity.configured(code_lifetime=0.0):
        code = flow.code()
    answer = flow.redeem(code)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_verifier": "not-the-verifier-" + "x" * 40}, "invalid_request"),
        ({"code_verifier": None}, "invalid_grant"),
        ({"redirect_uri": "http://127.0.0.1:45679/callback"}, "invalid_grant"),
        ({"client_id": "someone-else"}, "invalid_client_id"),
    ],
)
def test_the_token_request_must_match_the_authorization(flow, change, error):
    code = flow.code()
    answer = flow.redeem(code, **change)
    assert answer.status_code == 400 and answer.json()["error"] == error, answer.text
    assert flow.redeem(code).status_code == 400  # a refused attempt used the code up


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "api cdp_query_api web"}, "invalid_scope"),
    ],
)
def test_authorize_sends_errors_back_to_the_redirect_uri(flow, change, error):
    status, answer = flow.authorize(**change)
    assert status == 302 and answer["error"] == error and answer["state"] == "s1"
    assert "code" not in answer


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uri": "https://attacker.example/callback"},
        {"redirect_uri": "http://127.0.0.1:45678/elsewhere"},
        {"client_id": "unknown-app"},
    ],
)
def test_a_bad_client_or_redirect_uri_is_never_redirected_to(flow, change):
    status, answer = flow.authorize(**change)
    assert status == 400 and answer["error"] in ("redirect_uri_mismatch", "invalid_client_id")


def test_without_the_refresh_token_scope_no_refresh_token_is_issued(flow):
    answer = flow.redeem(flow.code(scope="api cdp_query_api"))
    assert answer.status_code == 200 and "refresh_token" not in answer.json()
