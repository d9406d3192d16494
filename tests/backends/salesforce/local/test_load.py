"""Load: 16 threads x 200 queries through one SQLAlchemy pool against a server that allows 15
concurrent requests. Every query succeeds, none sees another's rows, nothing leaks."""

from __future__ import annotations

import os
import threading
import time

import pytest
import requests
import sqlalchemy as sa

THREADS, QUERIES = 16, 200


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.slow
def test_sixteen_threads_share_a_pool(server_process):
    args, admin_key = server_process
    # 50 ms per request keeps all 16 threads in flight together, so the 15-request limit is reached.
    requests.post(
        f"{args['login_url']}/__cdpdb/faults",
        headers={"X-Cdpdb-Admin": admin_key},
        json={"limits": {"latency_ms": 50}},
        timeout=10,
    ).raise_for_status()
    engine = sa.create_engine(
        "cdp://", connect_args={**args, "max_retries": 20, "retry_max_seconds": 120}, pool_size=16, max_overflow=0
    )
    with engine.connect() as conn:  # warm up: log in once, so later counts compare like with like
        conn.execute(sa.text("SELECT 1")).fetchall()
    expected = {n: n * (n + 1) // 2 for n in range(1, THREADS + 1)}
    threads_before, fds_before = threading.active_count(), open_descriptors()
    errors: list[BaseException] = []
    seen: dict[int, set] = {}

    def worker(n: int) -> None:
        try:
            for i in range(QUERIES):
                with engine.connect() as conn:
                    total, tag = conn.execute(
                        sa.text("SELECT sum(x), :tag AS tag FROM generate_series(1, :n) AS t(x)"),
                        {"n": n, "tag": f"{n}-{i}"},
                    ).one()
                assert tag == f"{n}-{i}", "a result went to the wrong cursor"
                seen.setdefault(n, set()).add(total)
        except BaseException as exc:  # gathered and asserted on the main thread
            errors.append(exc)

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(1, THREADS + 1)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors, errors[:3]
    stats = requests.get(
        f"{args['login_url']}/__cdpdb/faults", headers={"X-Cdpdb-Admin": admin_key}, timeout=10
    ).json()["stats"]
    assert stats["busy_rejections"] > 0, "the server never refused: the test did not exercise the backoff"
    print(f"{THREADS * QUERIES} queries; the server refused {stats['busy_rejections']} requests as busy (429)")
    assert seen == {n: {expected[n]} for n in expected}
    engine.dispose()
    deadline = time.monotonic() + 5  # prefetch threads finish their last put a moment after a cursor closes
    while time.monotonic() < deadline and (
        threading.active_count() > threads_before or open_descriptors() > fds_before
    ):
        time.sleep(0.05)
    assert threading.active_count() <= threads_before
    assert open_descriptors() <= fds_before
