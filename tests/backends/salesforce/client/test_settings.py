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
        typed_connect(**args, proxies="http=http://127.0.0.1:9", max_retries=0)
