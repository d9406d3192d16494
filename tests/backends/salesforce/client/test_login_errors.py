"""Real-org login failures, reproduced by the local Data Cloud set up like such an org, through
the whole client stack: each is an OperationalError whose ``reason`` names the kind and whose
message says what to fix. Plus the mapping itself on the generic login hosts (a pure function)."""

from __future__ import annotations

import pytest

import cdpdb
from cdpdb.backends.salesforce import loginerrors, wire
from cdpdb.backends.salesforce.errors import OAuthError


def client_credentials(cloud, **extra) -> dict:
    c = cloud.credentials
    return {
        "login_url": cloud.login_url,
        "client_id": c.client_id,
        "client_secret": c.client_secret,
        "ca_bundle": cloud.ca_path,
        **extra,
    }


def jwt_bearer(cloud, **extra) -> dict:
    c = cloud.credentials
    return {
        "login_url": cloud.login_url,
        "username": c.username,
        "client_id": c.client_id,
        "private_key": c.private_key_pem,
        "ca_bundle": cloud.ca_path,
        **extra,
    }


def failure(args: dict) -> cdpdb.OperationalError:
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(**args)
    return caught.value


@pytest.mark.parametrize("api_name", ["v3", "connect"])
def test_an_app_without_the_query_scopes(cloud, api_name):
    with cloud.identity.configured(app_scopes=("api", "refresh_token")):
        error = failure(client_credentials(cloud, api=api_name))
    assert error.reason == "missing_scope"
    assert "cdp_query_api" in str(error) and "External Client App" in str(error)


def test_the_exchange_refuses_a_token_without_the_scopes_too(cloud, api):
    """What another client meets when it skips the scope check: the a360 exchange's own refusal."""
    with cloud.identity.configured(app_scopes=("api",)):
        core = api.core_token()
    answer = api.http.post(
        f"{cloud.login_url}{wire.EXCHANGE_PATH}",
        data={"grant_type": wire.CDP_GRANT, "subject_token_type": wire.ACCESS_TOKEN_TYPE, "subject_token": core},
        timeout=30,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope"
    error = loginerrors.exchange_failed(
        OAuthError("x", error="invalid_scope", description=answer.json()["error_description"], status=400)
    )
    assert error.reason == "missing_scope"


def test_an_org_without_data_cloud(cloud):
    with cloud.identity.configured(data_cloud=False):
        error = failure(jwt_bearer(cloud))
    assert error.reason == "no_data_cloud" and error.status == 404
    assert "Data Cloud" in str(error)
    with cloud.identity.configured(data_cloud=False), cdpdb.connect(**jwt_bearer(cloud, api="connect")):
        pass  # the Connect API needs no exchange: the failure above is the exchange's


def test_a_user_without_the_data_cloud_permission_set(cloud):
    with cloud.identity.configured(users_without_data_cloud=frozenset({cloud.credentials.username})):
        error = failure(jwt_bearer(cloud))
    assert error.reason == "no_data_cloud_permission" and "permission set" in str(error)


def test_client_credentials_on_a_generic_login_host(cloud):
    with cloud.identity.configured(generic_login_host=True):
        error = failure(client_credentials(cloud))
        cdpdb.connect(**jwt_bearer(cloud)).close()  # other flows still work there
    assert error.reason == "my_domain_required" and "my.salesforce.com" in str(error)


def test_the_username_password_flow_blocked(cloud):
    with cloud.identity.configured(password_flow=False):
        error = failure(cloud.connect_args())
    assert error.reason == "password_flow_blocked"
    assert "deprecated" in str(error) and "client credentials" in str(error)
    for secret in (cloud.credentials.password, cloud.credentials.client_secret):
        assert secret not in str(error)


def test_wrong_client_and_wrong_credentials_have_their_own_reasons(cloud):
    assert failure(client_credentials(cloud, client_id="nope")).reason == "invalid_client"
    assert failure(cloud.connect_args(password="wrong")).reason == "invalid_grant"
    error = failure({**client_credentials(cloud), "refresh_token": "5Aepnope", "client_secret": None})
    assert error.reason == "invalid_grant" and "refresh token" in str(error)


@pytest.mark.parametrize(
    ("login_url", "reason"),
    [
        ("https://login.salesforce.com", "my_domain_required"),
        ("https://test.salesforce.com/", "my_domain_required"),
        ("https://acme.my.salesforce.com", "invalid_grant"),
    ],
)
def test_client_credentials_errors_by_login_host(login_url, reason):
    refused = OAuthError("refused", error="invalid_grant", description="authentication failure", status=400)
    assert loginerrors.login_failed(refused, wire.CLIENT_CREDENTIALS_GRANT, login_url).reason == reason


def test_granted_scopes_are_read_with_full_implying_the_data_scopes():
    assert loginerrors.missing_scopes("api cdp_query_api") == []
    assert loginerrors.missing_scopes("full refresh_token") == []
    assert loginerrors.missing_scopes("api refresh_token") == ["cdp_query_api"]
    assert loginerrors.missing_scopes(None) == []  # Salesforce did not say: nothing to check
