"""Logging in: every flow, refresh, revocation, bad input, and no secret anywhere."""

from __future__ import annotations

import logging

import pytest

import cdpdb
from cdpdb.local import Fault
from tests.conftest import APIS


def flow_args(cloud, flow: str) -> dict:
    c = cloud.credentials
    base = {"login_url": cloud.login_url, "ca_bundle": cloud.ca_path}
    return (
        base
        | {
            "password": {
                "username": c.username,
                "password": c.password,
                "client_id": c.client_id,
                "client_secret": c.client_secret,
            },
            "jwt": {"username": c.username, "client_id": c.client_id, "private_key": c.private_key_pem},
            "refresh_token": {
                "refresh_token": c.refresh_token,
                "client_id": c.client_id,
                "client_secret": c.client_secret,
            },
            "client_credentials": {"client_id": c.client_id, "client_secret": c.client_secret},
        }[flow]
    )


@pytest.mark.parametrize("api_name", APIS)
@pytest.mark.parametrize("flow", ["password", "jwt", "refresh_token", "client_credentials"])
def test_every_flow_on_every_api(cloud, flow, api_name):
    with cdpdb.connect(**flow_args(cloud, flow), api=api_name) as conn:
        assert conn.settings.auth == flow
        cur = conn.cursor()
        cur.execute('SELECT count(*) FROM "ssot__Individual__dlm"')
        assert cur.fetchone() == (1000,)


def test_private_key_file_and_environment_secrets(cloud, tmp_path, monkeypatch):
    key = tmp_path / "key.pem"
    key.write_text(cloud.credentials.private_key_pem)
    args = flow_args(cloud, "jwt")
    del args["private_key"]
    with cdpdb.connect(**args, private_key_file=str(key)) as conn:
        assert conn.settings.auth == "jwt"
    args = flow_args(cloud, "password")
    monkeypatch.setenv("CDPDB_PASSWORD", args.pop("password"))
    monkeypatch.setenv("CDPDB_CLIENT_SECRET", args.pop("client_secret"))
    with cdpdb.connect(**args) as conn:
        conn.cursor().execute("SELECT 1")


def test_a_ready_data_cloud_token(api, cloud):
    with cdpdb.connect(
        token=api.dc_token(), tenant_url=cloud.tenant_url.split("://")[1], ca_bundle=cloud.ca_path
    ) as conn:
        cur = conn.cursor()
        cur.execute("SELECT 42")
        assert cur.fetchone() == (42,)


def test_dataspace_scopes_the_connection(cloud):
    with cdpdb.connect(**cloud.connect_args(dataspace="marketing")) as conn:
        with pytest.raises(cdpdb.ProgrammingError, match="42P01|does not exist"):
            conn.cursor().execute('SELECT 1 FROM "ssot__SalesOrder__dlm"')
    with pytest.raises(cdpdb.OperationalError, match="nowhere"):
        cdpdb.connect(**cloud.connect_args(dataspace="nowhere"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "wrong"}, "authentication failure"),
        ({"client_secret": "wrong"}, "invalid client credentials"),
        ({"client_id": "nope"}, "client identifier invalid"),
    ],
)
def test_wrong_credentials_fail_at_connect_without_echoing_secrets(cloud, change, message):
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(**cloud.connect_args(**change))
    text = str(caught.value)
    assert message in text and "login" in text
    for secret in (cloud.credentials.password, cloud.credentials.client_secret, "wrong"):
        assert secret not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"username": "u", "client_id": "c", "client_secret": "s"}, "without password"),
        (
            {"password": "p", "private_key": "-----BEGIN PRIVATE KEY-----x", "username": "u", "client_id": "c"},
            "conflicting",
        ),
        ({}, "no credentials"),
        ({"token": "t"}, "tenant_url"),
        ({"client_id": "c", "client_secret": "s", "api": "v9"}, "api must be"),
        ({"client_id": "c", "client_secret": "s", "login_url": "login.salesforce.com"}, "https://"),
        ({"client_id": "c", "client_secret": "s", "bogus": 1}, "bogus"),
        ({"client_id": "c", "client_secret": "s", "read_timeout": "soon"}, "read_timeout"),
        ({"client_id": "c", "client_secret": "s", "private_key_file": "/nope.pem"}, "private_key_file"),
        ({"token": "t", "tenant_url": "x", "api": "connect"}, "Connect API"),
    ],
)
def test_bad_argument_combinations_fail_at_connect(args, message, monkeypatch):
    for name in ("CDPDB_PASSWORD", "CDPDB_CLIENT_SECRET", "CDPDB_USERNAME", "CDPDB_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(cdpdb.ProgrammingError, match=message):
        cdpdb.connect(**args)


def test_core_token_is_revoked_after_the_exchange_unless_asked_not_to(cloud):
    sessions = cloud.identity._sessions
    before = set(sessions)
    cdpdb.connect(**cloud.connect_args()).close()
    assert set(sessions) == before  # the new core token was revoked
    cdpdb.connect(**cloud.connect_args(revoke_core_token=False)).close()
    assert len(set(sessions) - before) == 1


def test_expired_token_mid_result_logs_in_again_once(api, cloud):
    with cloud.faults.inject(v2_batch_rows=500):
        conn = cdpdb.connect(**cloud.connect_args(api="v2"))
        cur = conn.cursor()
        cur.execute('SELECT * FROM "ssot__SalesOrder__dlm" ORDER BY 1')
        first = cur.fetchmany(1000)
        cloud.expire_tokens()
        rest = cur.fetchall()
    expected = [tuple(r.values()) for r in api.hyper('SELECT * FROM "ssot__SalesOrder__dlm" ORDER BY 1').to_pylist()]
    assert first + rest == expected
    assert conn.session.tokens.logins == 2


def test_tokens_are_refreshed_ahead_of_expiry():
    from cdpdb.local import serve

    with serve(scale=10, token_lifetime=60) as short:  # inside the 60 s margin at once: refresh every call
        conn = cdpdb.connect(**short.connect_args())
        for _ in range(3):
            conn.cursor().execute("SELECT 1")
        assert conn.session.tokens.logins >= 3


def test_html_from_the_token_exchange_is_a_clear_auth_error(cloud):
    with cloud.faults.inject(Fault(kind="html", status=200, path="/services/a360/token")):
        with pytest.raises(cdpdb.OperationalError, match="HTML page instead of a token") as caught:
            cdpdb.connect(**cloud.connect_args())
    assert "JSONDecodeError" not in str(caught.value)


def test_tls_is_verified_by_default(cloud):
    args = cloud.connect_args()
    del args["ca_bundle"]
    with cdpdb.connect(**args) as conn, pytest.raises(cdpdb.OperationalError, match="certificate.*ca_bundle"):
        conn.cursor().execute("SELECT 1")  # the tenant host (TLS) is first called by a query
    from urllib3.exceptions import InsecureRequestWarning

    with cdpdb.connect(**args, verify=False) as conn, pytest.warns(InsecureRequestWarning):
        conn.cursor().execute("SELECT 1")


def test_no_secret_in_logs_reprs_or_errors(cloud, caplog):
    creds = cloud.credentials
    secrets = [creds.password, creds.client_secret, creds.refresh_token]
    caplog.set_level(logging.DEBUG)
    conn = cdpdb.connect(**cloud.connect_args())
    cur = conn.cursor()
    cur.execute("SELECT 1")
    token = conn.session.tokens.token().value
    with pytest.raises(cdpdb.ProgrammingError) as caught:
        cur.execute("SELECT * FROM nowhere")
    texts = [
        caplog.text,
        repr(conn),
        repr(cur),
        repr(conn.settings),
        str(conn.settings),
        str(caught.value),
        repr(conn.session.tokens.token()),
        repr(creds),
    ]
    for text in texts:
        for secret in [*secrets, token, "PRIVATE KEY"]:
            assert secret not in text
    assert "cdpdb" in caplog.text  # debug logging did happen
