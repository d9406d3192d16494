"""The kit's emulator life cycle: one listener with TLS or without, a folder removed on close, and
the servers a process starts once for its ``<backend>://local`` URLs."""

from __future__ import annotations

import threading

import pytest
import requests
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from cdpdb.local.service import EmbeddedServers, LocalService


class Echo(LocalService):
    title = "local echo"
    folder_prefix = "cdpdb-echo-"

    def __init__(self, *, tls: bool = True, port: int = 0) -> None:
        async def hello(request):
            return PlainTextResponse("hello")

        self.closed = 0
        self.start(Starlette(routes=[Route("/", hello)]), tls=tls, port=port)

    def close(self) -> None:
        self.closed += 1
        super().close()


@pytest.mark.parametrize("tls", [True, False])
def test_it_answers_over_https_or_http_and_its_folder_goes_on_close(tls):
    with Echo.serving(tls=tls) as echo:
        folder = echo.folder
        assert echo.base_url.startswith("https://" if tls else "http://")
        assert (echo.ca_path is not None) == tls
        answer = requests.get(echo.base_url + "/", verify=echo.ca_path if tls else True, timeout=10)
        assert answer.text == "hello"
        assert folder.is_dir() and repr(echo) == f"Echo(base_url={echo.base_url!r})"
    assert echo.closed == 1 and not folder.exists()


def test_embedded_servers_start_one_per_key_once_even_when_asked_at_once():
    started: list[object] = []

    class Fake:
        def __init__(self, key):
            self.key = key
            started.append(key)

        def close(self):
            pass

    servers = EmbeddedServers(Fake)
    got: list[Fake] = []
    threads = [threading.Thread(target=lambda: got.append(servers.get((1, 2)))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert started == [(1, 2)] and len({id(server) for server in got}) == 1
    assert servers.get() is not got[0] and started == [(1, 2), ()]
