"""HttpOptions.of: a backend's transport settings → the HTTP client's options (a pure function)."""

from __future__ import annotations

from types import SimpleNamespace

from cdpdb.core.http import HttpOptions

USUAL = dict(connect_timeout=3.0, read_timeout=7.0, proxies={"https": "http://p:1"}, user_agent="ua/1")


def test_the_usual_fields_become_options():
    options = HttpOptions.of(
        SimpleNamespace(**USUAL, verify=True, ca_bundle=None, max_retries=2, retry_max_seconds=9.0)
    )
    assert (options.connect_timeout, options.read_timeout, options.verify) == (3.0, 7.0, True)
    assert options.proxies == {"https": "http://p:1"} and options.user_agent == "ua/1"
    assert (options.retry.max_retries, options.retry.max_seconds) == (2, 9.0)


def test_a_ca_bundle_is_what_verifies_unless_verification_is_off():
    bundle = SimpleNamespace(**USUAL, verify=True, ca_bundle="/ca.pem", max_retries=0, retry_max_seconds=1.0)
    assert HttpOptions.of(bundle).verify == "/ca.pem"
    bundle.verify = False
    assert HttpOptions.of(bundle).verify is False
