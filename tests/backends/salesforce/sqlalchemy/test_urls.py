"""The URL forms docs/sqlalchemy.md documents: a real org, and a running ``cdpdb serve`` (a plain
http login host, a tenant on TLS with its own CA)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa


def connect_args(url: str) -> dict:
    engine = sa.create_engine(url)
    return engine.dialect.create_connect_args(engine.url)[1]


def test_a_real_org_logs_in_over_https():
    args = connect_args("cdp://me%40example.com:pw@acme.my.salesforce.com/default?client_id=a")
    assert args["login_url"] == "https://acme.my.salesforce.com" and args["dataspace"] == "default"
    sandbox = connect_args("cdp://me%40example.com:pw@test.salesforce.com?client_id=a&scheme=https")
    assert sandbox["login_url"] == "https://test.salesforce.com" and "scheme" not in sandbox


def test_scheme_http_is_for_local_servers_and_login_url_overrides_all():
    args = connect_args("cdp://u:p@127.0.0.1:8080/default?client_id=a&scheme=http&ca_bundle=/tmp/ca.pem")
    assert args["login_url"] == "http://127.0.0.1:8080" and args["ca_bundle"] == "/tmp/ca.pem"
    assert "scheme" not in args
    explicit = connect_args("cdp://u:p@ignored?client_id=a&login_url=https://login.example.com")
    assert explicit["login_url"] == "https://login.example.com"
    with pytest.raises(sa.exc.ArgumentError, match="scheme"):
        connect_args("cdp://u:p@h?scheme=ftp")


def test_the_documented_url_of_cdpdb_serve_works(server_process, monkeypatch):
    """What ``cdpdb serve`` prints, put in the documented URL form: user and password, the login
    host with ``scheme=http``, the dataspace, ``client_id`` and the CA file; the client secret
    from the environment."""
    args, _ = server_process
    login = urlsplit(args["login_url"])
    assert login.scheme == "http"
    monkeypatch.setenv("CDPDB_CLIENT_SECRET", args["client_secret"])
    url = (
        f"cdp://{quote(args['username'], safe='')}:{quote(args['password'], safe='')}@{login.netloc}/default"
        f"?scheme=http&client_id={quote(args['client_id'], safe='')}&ca_bundle={quote(args['ca_bundle'], safe='')}"
    )
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text('SELECT count(*) FROM "ssot__Individual__dlm"')).scalar() == 1000
        assert "ssot__EmailEngagement__dlm" in sa.inspect(engine).get_table_names(schema="marketing")
    finally:
        engine.dispose()
    assert args["password"] not in repr(engine) and args["client_secret"] not in repr(engine)


@pytest.mark.parametrize(
    "url",
    [
        "cdp://u:p@acme.my.salesforce.com?client_id=a&max_workers=4&client_secret=s3cr3t-one&client_secret=s3cr3t-two",
        "treasuredata://?apikey=1/s3cr3t-one&apikey=2/s3cr3t-two&max_workers=4",
        "customerio://?api_key=s3cr3t-one&api_key=s3cr3t-two",
    ],
)
def test_a_setting_given_twice_is_named_and_its_values_are_not_shown(url):
    with pytest.raises(sa.exc.ArgumentError) as caught:
        connect_args(url)
    message = str(caught.value)
    assert "more than once" in message and ("client_secret" in message or "api" in message)
    assert "s3cr3t" not in message and "max_workers" not in message
