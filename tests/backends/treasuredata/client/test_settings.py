"""Treasure Data settings: the key from the environment TD's own tools use, sites by name."""

from __future__ import annotations

import pytest

from cdpdb.backends.treasuredata.settings import Settings
from cdpdb.exceptions import ProgrammingError


def test_key_site_and_masking():
    settings = Settings.from_arguments({"site": "JP01"}, environ={"TD_API_KEY": "1/abcdef"})
    assert settings.base_url == "https://api-cdp.treasuredata.co.jp"
    assert "1/abcdef" not in repr(settings) and "apikey='***'" in repr(settings)
    local = Settings.from_arguments({"apikey": "k", "site_url": "https://127.0.0.1:8443/"}, environ={})
    assert local.base_url == "https://127.0.0.1:8443"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "no Treasure Data API key"),
        ({"apikey": "k", "site": "mars"}, "site must be one of us01"),
        ({"apikey": "k", "page_size": "0"}, "page_size must be 1 to"),
        ({"apikey": "k", "activation_page_size": "101"}, "activation_page_size must be 1 to 100"),
    ],
)
def test_mistakes_name_the_setting(given, message):
    with pytest.raises(ProgrammingError, match=message):
        Settings.from_arguments(given, environ={})
