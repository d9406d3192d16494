"""Ordered parallel download (vendor-free): results in order, and a bounded wait for each."""

from __future__ import annotations

import threading
import time

import pyarrow as pa
import pytest

from cdpdb.core.results.fetch import Patience, ordered_parallel


class Late(Exception):
    def __init__(self, number: int, waited: float) -> None:
        super().__init__(f"item {number} did not arrive within {waited:g} s")
        self.number, self.waited = number, waited


def test_a_download_that_never_ends_raises_the_callers_error_naming_it():
    release = threading.Event()

    def fetch(n: int) -> pa.Table:
        if n == 3:
            release.wait(10)  # stuck where no timeout of the fetch reaches
        return pa.table({"n": [n]})

    got = []
    started = time.monotonic()
    try:
        with pytest.raises(Late) as caught:
            for table in ordered_parallel(fetch, 6, 2, 3, threading.Event(), Patience(0.3, Late)):
                got.append(table["n"][0].as_py())
    finally:
        release.set()
    assert got == [0, 1, 2]  # everything before the stuck one arrived, in order
    assert caught.value.number == 3 and caught.value.waited == 0.3
    assert time.monotonic() - started < 3


def test_patience_is_per_item_not_for_the_whole_result():
    def fetch(n: int) -> pa.Table:
        time.sleep(0.1)
        return pa.table({"n": [n]})

    started = time.monotonic()
    tables = list(ordered_parallel(fetch, 16, 2, 2, threading.Event(), Patience(0.5, Late)))
    assert time.monotonic() - started > 0.5  # longer in all than the patience for one item
    assert [t["n"][0].as_py() for t in tables] == list(range(16))
