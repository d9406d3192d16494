"""Data Cloud settings: the typed connect() lists every setting, and proxies given as text work."""

from __future__ import annotations

import inspect
from dataclasses import fields

import pytest

import cdpdb
from cdpdb.backends.salesforce import connect as typed_connect
from cdpdb.backends.salesforce.settings import Settings


def test_the_typed_connect_names_every_setting_and_nothing_else():
    assert list(inspect.signature(typed_connect).parameters) == [f.name for f in fields(Settings)]


def test_proxies_as_text_from_the_environment_or_a_url(cloud, monkeypatch):
    """They stayed a string and connect() failed with an opaque ValueError (issue #11)."""
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CDPDB_PROXIES", "https=http://127.0.0.1:9")
    args = cloud.connect_args()
    with cdpdb.connect(**args) as conn:  # the login host is http://: the https proxy is not used
        assert conn.settings.proxies == {"https": "http://127.0.0.1:9"}
        assert conn.session.http.session.proxies == {"https": "http://127.0.0.1:9"}
    monkeypatch.delenv("CDPDB_PROXIES")
    with pytest.raises(cdpdb.OperationalError, match="cannot reach"):  # the proxy (port 9) is used, and is down
        # the login (http:// here) must run: the first connection's token is not taken from the process
        typed_connect(**args, proxies="http=http://127.0.0.1:9", max_retries=0, token_cache="off")


def test_the_environment_is_read_once_per_origin_and_netrc_never_replaces_the_token(cloud, monkeypatch, tmp_path):
    """requests re-read os.environ and ~/.netrc on every call (about 1 ms); cdpdb reads the
    environment once per origin, still honouring REQUESTS_CA_BUNDLE and NO_PROXY, and never lets
    a .netrc entry turn the bearer token into Basic credentials."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password not-a-token\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cloud.ca_path)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # down: used, it would fail
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    args = {k: v for k, v in cloud.connect_args().items() if k != "ca_bundle"}
    with cdpdb.connect(**args) as conn:
        assert conn.cursor().execute("SELECT 1").fetchall() == [(1,)]
        assert conn.cursor().execute("SELECT 2").fetchall() == [(2,)]
        assert len(conn.session.http._environments) == 2  # the login host and the tenant host, once each
