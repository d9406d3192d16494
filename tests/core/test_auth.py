"""Token cache (vendor-free): one login for many threads, again when stale or asked."""

from __future__ import annotations

import threading
import time

from cdpdb.core.auth import REFRESH_MARGIN, Token, TokenCache


def test_one_login_serves_many_threads_and_refresh_logs_in_again():
    logins: list[int] = []

    def login() -> Token:
        logins.append(1)
        time.sleep(0.05)
        return Token(f"t{len(logins)}", "https://tenant", time.monotonic() + 3600)

    cache = TokenCache(login)
    threads = [threading.Thread(target=cache.token) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.logins == 1 and cache.bearer() == "t1" and cache.base_url() == "https://tenant"
    assert cache.bearer(refresh=True) == "t2" and cache.logins == 2


def test_a_token_about_to_expire_is_replaced_before_it_is_used():
    lifetimes = iter([REFRESH_MARGIN - 1, 3600])
    cache = TokenCache(lambda: Token("x", "https://t", time.monotonic() + next(lifetimes)))
    cache.token()
    cache.token()
    assert cache.logins == 2


def test_a_token_never_shows_its_value():
    assert "s3cret" not in repr(Token("s3cret", "https://t", time.monotonic() + 60))
