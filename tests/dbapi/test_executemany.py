"""``executemany``: a session that batches gets every parameter set in one call; one that does
not (Data Cloud) gets ``write`` once per set, as before; DDL still refreshes the catalog."""

from __future__ import annotations

from typing import Any

import pytest

import cdpdb
from cdpdb.backends.base import BatchWriter
from cdpdb.connection import Connection
from cdpdb.core.sqlapi.session import ApiSession
from cdpdb.exceptions import WriteReport


class PerSet(ApiSession):
    """Takes writes one parameter set at a time (no write_many)."""

    backend = "perset"

    def __init__(self) -> None:
        super().__init__({}, read_only="")
        self._read_only = None
        self.calls: list[Any] = []
        self.catalog_refreshes = 0

    def write(self, sql: str, parameters: Any) -> int:
        self.calls.append(parameters)
        return 1

    def catalog_changed(self) -> None:
        self.catalog_refreshes += 1

    write_many = None  # type: ignore[assignment]  # as a session without the method


class Batching(PerSet):
    backend = "batching"

    def write_many(self, sql: str, parameter_sets: Any) -> int:  # type: ignore[override]
        self.calls.append(list(parameter_sets))
        if any(p == ("bad",) for p in parameter_sets):
            raise cdpdb.DataError("a bad row", write=WriteReport(3, (range(0, 1),), ((range(1, 3), "bad"),)))
        return len(self.calls[-1])


def test_a_session_without_write_many_gets_one_write_per_parameter_set():
    session = PerSet()
    assert not isinstance(session, BatchWriter)
    cursor = Connection(session).cursor()
    cursor.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    assert session.calls == [(1,), (2,), (3,)] and cursor.rowcount == 3


def test_a_batching_session_gets_every_parameter_set_at_once():
    session = Batching()
    assert isinstance(session, BatchWriter)
    cursor = Connection(session).cursor()
    cursor.executemany("INSERT INTO t VALUES (?)", iter([(1,), (2,)]))
    assert session.calls == [[(1,), (2,)]] and cursor.rowcount == 2


def test_a_partial_failure_leaves_rowcount_at_the_rows_accepted():
    cursor = Connection(Batching()).cursor()
    with pytest.raises(cdpdb.DataError):
        cursor.executemany("INSERT INTO t VALUES (?)", [(1,), ("bad",), (3,)])
    assert cursor.rowcount == 1


def test_ddl_through_executemany_still_refreshes_the_catalog():
    session = PerSet()
    Connection(session).cursor().executemany("CREATE TABLE x (a int)", [()])
    assert session.catalog_refreshes == 1


def test_a_writes_rowcount_stays_readable_after_the_cursor_is_closed():
    cursor = Connection(Batching()).cursor()
    cursor.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    cursor.close()
    assert cursor.rowcount == 2
