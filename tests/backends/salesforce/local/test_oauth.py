"""OAuth and the a360 token exchange, over raw HTTP."""

from __future__ import annotations

import time

import jwt
import pytest

from cdpdb.local import serve
from tests.conftest import CDP_GRANT, TOKEN_TYPE

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def token_url(cloud) -> str:
    return f"{cloud.login_url}/services/oauth2/token"


def assertion(cloud, **overrides) -> str:
    creds = cloud.credentials
    claims = {"iss": creds.client_id, "sub": creds.username, "aud": cloud.login_url, "exp": int(time.time()) + 300}
    claims.update(overrides)
    key = overrides.pop("key", None) or creds.private_key_pem
    claims.pop("key", None)
    return jwt.encode(claims, key, algorithm="RS256")


@pytest.mark.parametrize("transport", ["form", "query"])
@pytest.mark.parametrize("flow", ["password", "jwt", "refresh_token", "client_credentials"])
def test_every_grant_gives_a_core_token(api, cloud, flow, transport):
    creds = cloud.credentials
    fields = {
        "password": api.password_grant(),
        "jwt": {"grant_type": JWT_GRANT, "assertion": assertion(cloud)},
        "refresh_token": {
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "refresh_token": creds.refresh_token,
        },
        "client_credentials": {
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        },
    }[flow]
    kwargs = {"data": fields} if transport == "form" else {"params": fields}
    answer = api.http.post(token_url(cloud), timeout=30, **kwargs)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) >= {"access_token", "instance_url", "id", "token_type", "issued_at", "signature", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == cloud.login_url
    assert body["issued_at"].isdigit()


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"password": "wrong"}, 400, "invalid_grant"),
        ({"username": "nobody@example.com"}, 400, "invalid_grant"),
        ({"client_secret": "wrong"}, 400, "invalid_client"),
        ({"client_id": "unknown-app"}, 400, "invalid_client_id"),
        ({"grant_type": "magic"}, 400, "unsupported_grant_type"),
        ({"grant_type": ""}, 400, "invalid_request"),
    ],
)
def test_wrong_credentials_get_salesforce_error_shape(api, cloud, change, status, error):
    answer = api.http.post(token_url(cloud), data=api.password_grant(**change), timeout=30)
    assert answer.status_code == status
    body = answer.json()
    assert body["error"] == error
    assert body["error_description"]
    assert "access_token" not in body
    assert cloud.credentials.password not in answer.text


@pytest.mark.parametrize(
    ("overrides", "description"),
    [
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"aud": "https://evil.example.com"}, "audience"),
        ({"sub": "nobody@example.com"}, "approved"),
        ({"iss": "unknown-app"}, "client identifier"),
    ],
)
def test_jwt_assertions_are_checked(api, cloud, overrides, description):
    answer = api.http.post(token_url(cloud), data={"grant_type": JWT_GRANT, "assertion": assertion(cloud, **overrides)})
    assert answer.status_code == 400
    assert description in answer.json()["error_description"]


def test_jwt_signed_with_another_key_is_refused(api, cloud):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    answer = api.http.post(token_url(cloud), data={"grant_type": JWT_GRANT, "assertion": assertion(cloud, key=other)})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_exchange_returns_a_jwt_and_bare_tenant_host(api, cloud):
    answer = api.http.post(
        f"{cloud.login_url}/services/a360/token",
        params={"grant_type": CDP_GRANT, "subject_token_type": TOKEN_TYPE, "subject_token": api.core_token()},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:jwt"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    assert "://" not in body["instance_url"]
    assert f"https://{body['instance_url']}" == cloud.tenant_url
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == body["expires_in"]


def test_a_core_token_is_exchanged_once_then_html_comes_back(api, cloud):
    core = api.core_token()
    fields = {"grant_type": CDP_GRANT, "subject_token_type": TOKEN_TYPE, "subject_token": core}
    assert api.http.post(f"{cloud.login_url}/services/a360/token", data=fields).status_code == 200
    again = api.http.post(f"{cloud.login_url}/services/a360/token", data=fields)
    assert again.headers["content-type"].startswith("text/html")
    assert "<html" in again.text


def test_exchange_checks_subject_and_dataspace(api, cloud):
    url = f"{cloud.login_url}/services/a360/token"
    bad = api.http.post(url, data={"grant_type": CDP_GRANT, "subject_token_type": TOKEN_TYPE, "subject_token": "x"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    nowhere = api.http.post(
        url,
        data={
            "grant_type": CDP_GRANT,
            "subject_token_type": TOKEN_TYPE,
            "subject_token": api.core_token(),
            "dataspace": "nowhere",
        },
    )
    assert nowhere.status_code == 400 and "nowhere" in nowhere.json()["error_description"]


def test_revoked_core_token_stops_working(api, cloud):
    core = api.core_token()
    assert api.connect("POST", "", token=core, json={"sql": "SELECT 1"}).status_code == 200
    assert api.http.post(f"{cloud.login_url}/services/oauth2/revoke", params={"token": core}).status_code == 200
    after = api.connect("POST", "", token=core, json={"sql": "SELECT 1"})
    assert after.status_code == 401
    assert after.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_data_cloud_token_revocation(api):
    token = api.dc_token()
    assert api.direct("GET", "/api/v1/metadata", token=token).status_code == 200
    answer = api.direct("POST", "/services/a360/revoke", token=token, data={"token": token})
    assert answer.status_code == 200
    assert api.direct("GET", "/api/v1/metadata", token=token).status_code == 401


def test_tokens_expire_after_the_configured_lifetime():
    with serve(scale=10, token_lifetime=1) as short:
        from tests.conftest import Api

        api = Api(short)
        token = api.dc_token()
        assert api.direct("GET", "/api/v1/metadata", token=token).status_code == 200
        time.sleep(2.1)
        answer = api.direct("GET", "/api/v1/metadata", token=token)
        assert answer.status_code == 401
        assert "expired" in answer.json()["message"]


def test_expire_switch_invalidates_issued_tokens_only(api, cloud):
    token = api.dc_token()
    cloud.expire_tokens()
    assert api.direct("GET", "/api/v1/metadata", token=token).status_code == 401
    assert api.direct("GET", "/api/v1/metadata").status_code == 200  # a fresh login works


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer not-a-token"])
def test_direct_api_needs_a_valid_bearer_token(api, cloud, header):
    headers = {} if header is None else {"Authorization": header}
    answer = api.http.get(f"{cloud.tenant_url}/api/v1/metadata", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["errorCode"] == "INVALID_SESSION_ID"


def test_core_token_is_not_a_data_cloud_token(api):
    answer = api.direct("POST", "/api/v2/query", token=api.core_token(), json={"sql": "SELECT 1"})
    assert answer.status_code == 401
