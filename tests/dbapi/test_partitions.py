"""``cursor.execute_partitions``: the split of chunks into partitions (a pure function, checked
for every count), and the refusals of the vendor-free cursor."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdpdb.connection import Connection
from cdpdb.core.results.partitions import split_ranges
from cdpdb.exceptions import NotSupportedError, ProgrammingError
from tests.dbapi.test_stub_backend import StubSession


@given(st.integers(0, 3000), st.one_of(st.none(), st.integers(1, 5000)))
def test_every_chunk_is_in_exactly_one_non_empty_contiguous_range(count, parts):
    ranges = split_ranges(count, parts)
    assert [n for r in ranges for n in r] == list(range(count))  # in order, each once, none missing
    assert all(len(r) > 0 and r.step == 1 for r in ranges)
    assert len(ranges) == (0 if count == 0 else count if parts is None else min(parts, count))
    if ranges:
        sizes = [len(r) for r in ranges]
        assert max(sizes) - min(sizes) <= 1
        assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize(("count", "parts", "sizes"), [(10, 1, [10]), (10, 2, [5, 5]), (10, 7, [2, 2, 2, 1, 1, 1, 1])])
def test_sizes_of_a_few_splits(count, parts, sizes):
    assert [len(r) for r in split_ranges(count, parts)] == sizes


def test_more_partitions_than_chunks_gives_one_chunk_each():
    assert split_ranges(3, 50) == [range(0, 1), range(1, 2), range(2, 3)]
    assert len(split_ranges(1000, 7)) == 7 and split_ranges(1000, 7)[-1].stop == 1000  # > 512 chunks


def test_a_split_refuses_nonsense():
    with pytest.raises(ValueError):
        split_ranges(5, 0)
    with pytest.raises(ValueError):
        split_ranges(-1, 2)


def test_a_backend_without_chunks_says_why():
    with Connection(StubSession()) as conn:
        with pytest.raises(NotSupportedError, match="stub backend cannot hand out a result in partitions"):
            conn.cursor().execute_partitions("SELECT * FROM people")


@pytest.mark.parametrize("partitions", [0, -3, 2.5, True, "4"])
def test_a_wrong_partition_count_is_refused_before_anything_runs(partitions):
    with Connection(StubSession()) as conn:
        with pytest.raises(ProgrammingError, match="partitions must"):
            conn.cursor().execute_partitions("SELECT * FROM people", partitions=partitions)


def test_writes_have_nothing_to_partition():
    with Connection(StubSession()) as conn:
        with pytest.raises(NotSupportedError, match="no result to partition"):
            conn.cursor().execute_partitions("DELETE FROM people")
