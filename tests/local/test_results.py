"""The result store's one security rule: a result is read only by the login that ran it, in the
dataspace it ran in; anyone else cannot tell it from an id that never existed."""

from __future__ import annotations

import pytest

from cdpdb.local.results import QueryResult, ResultExpired, ResultNotFound, ResultStore


def test_only_the_owner_in_its_dataspace_finds_a_result():
    store: ResultStore[QueryResult] = ResultStore(60)
    result = store.new("q1", "default", "ann")
    assert store.owned("q1", "ann", "default") is result
    for user, dataspace in (("bob", "default"), ("ann", "marketing"), ("ann", "other")):
        with pytest.raises(ResultNotFound):
            store.owned("q1", user, dataspace)
    with pytest.raises(ResultNotFound):
        store.owned("never", "ann", "default")


def test_an_expired_result_says_so_to_its_owner_only():
    store: ResultStore[QueryResult] = ResultStore(60)
    store.new("q1", "default", "ann")
    store.expire_all()
    with pytest.raises(ResultExpired):
        store.owned("q1", "ann", "default")
    with pytest.raises(ResultNotFound):
        store.owned("q1", "bob", "default")


def test_a_backend_keeps_its_own_facts_on_results():
    class Tagged(QueryResult):
        tag: str = "mine"

    store: ResultStore[Tagged] = ResultStore(60, Tagged)
    assert isinstance(store.new("q1", "default", "ann"), Tagged)


def test_batch_ids_are_single_use():
    store: ResultStore[QueryResult] = ResultStore(60)
    batch_id = store.issue_batch("q1", 10, 1)
    assert store.take_batch(batch_id).start == 10
    assert store.take_batch(batch_id) == "used"
    assert store.take_batch("nope") == "unknown"
