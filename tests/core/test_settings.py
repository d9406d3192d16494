"""Settings mechanics (vendor-free): text from URLs and the environment becomes typed values,
mistakes name the setting, secrets never show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from cdpdb.core.settings import BackendSettings, parse_mapping
from cdpdb.exceptions import ProgrammingError


@dataclass(repr=False)
class Example(BackendSettings):
    SECRETS: ClassVar[frozenset[str]] = frozenset({"token"})
    HIDDEN: ClassVar[frozenset[str]] = frozenset({"key_file"})

    host: str = "h"
    token: str | None = None
    key_file: str | None = None
    port: int = 1
    timeout: float | None = None
    verify: bool = True
    proxies: dict[str, str] | None = None


def test_text_becomes_each_fields_type():
    given = {"port": "8443", "timeout": "2.5", "verify": "off", "proxies": "https=http://p:3128, http=http://p:80"}
    settings = Example.from_arguments(given, environ={})
    assert (settings.port, settings.timeout, settings.verify) == (8443, 2.5, False)
    assert settings.proxies == {"https": "http://p:3128", "http": "http://p:80"}


def test_environment_fills_what_arguments_do_not_give():
    environ = {"CDPDB_TOKEN": "t0k", "CDPDB_PROXIES": '{"https": "http://proxy:3128"}', "CDPDB_PORT": "9"}
    settings = Example.from_arguments({"port": 10}, environ=environ)
    assert (settings.token, settings.port, settings.proxies) == ("t0k", 10, {"https": "http://proxy:3128"})


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"port": "eighty"}, "port must be a int"),
        ({"verify": "maybe"}, "verify must be a bool"),
        ({"proxies": "http://proxy:3128"}, "proxies must be key=value pairs"),
        ({"proxies": "{not json"}, "proxies is not valid JSON"),
        ({"proxies": '{"https": 3}'}, "proxies must map names to text"),
        ({"colour": "red"}, "unknown connect\\(\\) argument\\(s\\): colour"),
    ],
)
def test_a_wrong_value_names_the_setting(given, named):
    with pytest.raises(ProgrammingError, match=named):
        Example.from_arguments(given, environ={})


def test_secrets_are_masked_and_hidden_settings_never_shown():
    settings = Example.from_arguments({"token": "s3cret", "key_file": "/home/me/key.pem"}, environ={})
    assert "s3cret" not in repr(settings) and "token='***'" in repr(settings)
    assert "key_file" not in repr(settings) and "/home/me" not in repr(settings)


def test_mapping_text_forms():
    assert parse_mapping("p", "a=1") == {"a": "1"}
    assert parse_mapping("p", ' {"a": "x=y"} ') == {"a": "x=y"}


def test_a_vendors_own_environment_variable_is_read_after_cdpdb_s():
    @dataclass(repr=False)
    class WithAlias(BackendSettings):
        ENVIRONMENT: ClassVar[dict[str, tuple[str, ...]]] = {"key": ("VENDOR_KEY",)}
        key: str | None = None

    assert WithAlias.from_arguments({}, environ={"VENDOR_KEY": "v"}).key == "v"
    assert WithAlias.from_arguments({}, environ={"VENDOR_KEY": "v", "CDPDB_KEY": "c"}).key == "c"
    assert WithAlias.from_arguments({"key": "k"}, environ={"VENDOR_KEY": "v"}).key == "k"
