"""Partitions of a V3 result, read after a pickle round trip as a worker would read them: every
chunk exactly once for any partition count, no secret in the pickle, expiry and token refresh."""

from __future__ import annotations

import _thread
import dataclasses
import gc
import pickle
import threading
import time
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pytest

from cdpdb.exceptions import NotSupportedError, OperationalError
from cdpdb.local import Fault
from tests.backends.salesforce.scaleout.conftest import SQL, assert_same_rows


def read_all(split) -> pa.Table:
    """Every partition read from its own unpickled copy, as separate workers would."""
    tables = []
    for partition in split:
        copy = pickle.loads(pickle.dumps(partition))
        tables.append(pa.Table.from_batches(list(copy.read()), schema=split.schema))
    return pa.concat_tables(tables)


@pytest.mark.parametrize("partitions", [1, 2, 7, 40, None])
def test_every_chunk_is_read_exactly_once(cloud, connect, reference, partitions):
    with cloud.faults.inject(v3_chunk_rows=200):  # 25 chunks
        split = pickle.loads(pickle.dumps(connect().cursor().execute_partitions(SQL, partitions=partitions)))
        assert split.chunk_count == 25 and split.row_count == 5000
        expected = 25 if partitions is None else min(partitions, 25)
        assert len(split) == expected
        chunks = [n for p in split for n in p.chunks]
        assert chunks == list(range(25))  # contiguous, in order, none twice
        assert sum(p.estimated_rows for p in split) == 5000
        assert [p.row_count for p in split] == ([5000] if expected == 1 else [None] * expected)
        assert_same_rows(read_all(split), reference)


@pytest.mark.slow
def test_more_than_512_chunks(cloud, connect, reference):
    with cloud.faults.inject(v3_chunk_rows=9):  # 556 chunks
        split = connect(max_workers=8).cursor().execute_partitions(SQL, partitions=7)
        assert split.chunk_count == 556 and len(split) == 7
        assert [n for p in split for n in p.chunks] == list(range(556))
        assert_same_rows(read_all(split), reference)


def test_the_schema_is_the_one_fetch_arrow_table_gives(connect, reference):
    split = connect().cursor().execute_partitions(SQL, partitions=2)
    assert split.schema.equals(reference.schema)
    assert all(batch.schema.equals(split.schema) for batch in split[0].read())


def test_no_secret_travels_in_a_pickle(cloud, connect):
    creds = cloud.credentials
    secrets = [creds.password, creds.client_secret, cloud.admin_key]
    split = connect(admin_key=cloud.admin_key).cursor().execute_partitions(SQL, partitions=3)
    blob = pickle.dumps(split)
    for secret in secrets:
        assert secret.encode() not in blob
    assert creds.username.encode() in blob  # the login's non-secret settings travel (to log in again)
    assert split[0].access.token not in repr(split) + repr(split[0]) + repr(split[0].access)  # nor in logs


def test_an_expired_result_raises_a_clear_error(cloud, connect):
    with cloud.faults.inject(v3_chunk_rows=1000):
        split = pickle.loads(pickle.dumps(connect().cursor().execute_partitions(SQL, partitions=2)))
        assert len(list(split[0].read())) == 3
        cloud.expire_results()
        with pytest.raises(OperationalError) as caught:
            list(split[1].read())
    assert caught.value.reason == "result_expired"
    assert caught.value.query_id == split.query_id
    assert "execute_partitions() again" in str(caught.value)


def test_a_partition_past_its_expiry_time_is_refused_without_a_request(connect):
    split = connect().cursor().execute_partitions(SQL, partitions=1)
    past = dataclasses.replace(split[0], expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    with pytest.raises(OperationalError) as caught:
        next(past.read())
    assert caught.value.reason == "result_expired" and "expires at" in str(caught.value)


def test_a_failed_chunk_read_is_retried_by_the_session(cloud, connect, reference):
    with cloud.faults.inject(Fault(status=503, path=r"/chunks/1$", count=2), v3_chunk_rows=1000):
        split = connect().cursor().execute_partitions(SQL, partitions=2)
        assert_same_rows(read_all(split), reference)
        assert split.chunk_count == 5


def test_a_worker_logs_in_again_from_its_own_environment(cloud, connect, reference, monkeypatch):
    creds = cloud.credentials
    split = pickle.loads(pickle.dumps(connect().cursor().execute_partitions(SQL, partitions=1)))
    cloud.expire_tokens()
    with pytest.raises(OperationalError) as caught:  # no secrets here: a clear error says which to set
        list(split[0].read())
    assert caught.value.reason == "token_expired"
    assert "CDPDB_PASSWORD" in str(caught.value) and "CDPDB_CLIENT_SECRET" in str(caught.value)
    monkeypatch.setenv("CDPDB_PASSWORD", creds.password)
    monkeypatch.setenv("CDPDB_CLIENT_SECRET", creds.client_secret)
    table = pa.Table.from_batches(list(split[0].read()), schema=split.schema)
    assert_same_rows(table, reference)


def test_other_apis_say_partitions_need_v3(connect):
    with pytest.raises(NotSupportedError, match="needs api='v3'"):
        connect(api="v2").cursor().execute_partitions(SQL)


def test_cancel_while_waiting_cancels_the_query_on_the_server(cloud, connect):
    cursor = connect().cursor()
    with cloud.faults.inject(query_seconds=30):
        threading.Timer(1.0, cursor.cancel).start()
        started = time.monotonic()
        with pytest.raises(OperationalError) as caught:
            cursor.execute_partitions(SQL)
    assert caught.value.reason == "cancelled"
    assert time.monotonic() - started < 10
    with pytest.raises(OperationalError) as gone:  # cancelled and freed on the server
        cursor.connection.session.status(caught.value.query_id)
    assert gone.value.status == 404


def test_ctrl_c_while_waiting_cancels_the_query_on_the_server(cloud, connect):
    cursor = connect().cursor()
    with cloud.faults.inject(query_seconds=30):
        threading.Timer(1.0, _thread.interrupt_main).start()  # what Ctrl-C does
        with pytest.raises(KeyboardInterrupt):
            cursor.execute_partitions(SQL)
    query_id = cursor._control.query_id  # the id the server gave before the interrupt
    assert query_id
    with pytest.raises(OperationalError) as gone:  # cancelled and freed on the server
        cursor.connection.session.status(query_id)
    assert gone.value.status == 404


def test_consecutive_partitions_merge_into_one_range(cloud, connect, reference):
    from cdpdb.backends.salesforce.query.partitions import merged

    with cloud.faults.inject(v3_chunk_rows=500):  # 10 chunks
        split = connect().cursor().execute_partitions(SQL)
        halves = [merged(split.partitions[:4], 0), merged(split.partitions[4:], 1)]
        assert [list(h.chunks) for h in halves] == [list(range(4)), list(range(4, 10))]
        assert sum(h.estimated_rows for h in halves) == 5000
        assert_same_rows(read_all(dataclasses.replace(split, partitions=tuple(halves))), reference)
    with pytest.raises(ValueError):
        merged([split[0], split[2]], 0)


def impatient(partition, **settings):
    """The partition as a worker would read it with other connection settings (timeouts)."""
    access = dataclasses.replace(partition.access, settings={**partition.access.settings, **settings})
    return dataclasses.replace(partition, access=access)


def test_reading_leaves_no_thread_local_to_the_cyclic_collector(cloud, connect, reference):
    """Issue 19: the 1,000-chunk benchmark froze a Dask worker. Each HTTP call left its retry
    state in a threading.local inside a reference cycle; on CPython 3.11 the collector freeing one
    inside sys._current_frames() (Dask's profiler, every 10 ms) deadlocks the process. Reading
    partitions, retries (429) included, must leave no threading.local for the collector."""
    busy = Fault(status=429, retry_after=0, path=r"/chunks/", count=3)
    with cloud.faults.inject(busy, v3_chunk_rows=500):  # 10 chunks
        split = connect(max_workers=3).cursor().execute_partitions(SQL, partitions=2)
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            union = read_all(split)
            gc.collect()
            left = [o for o in gc.garbage if isinstance(o, _thread._local)]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        assert busy.count == 0  # the retries did happen
    assert_same_rows(union, reference)
    assert left == []


def test_a_chunk_the_server_never_answers_raises_naming_it(cloud, connect):
    """Attempts at a chunk stop after retry_max_seconds, each waiting read_timeout at most: the
    read raises, naming the chunk, instead of waiting on."""
    with cloud.faults.inject(Fault(kind="delay", seconds=5, path=r"/chunks/1$", count=-1), v3_chunk_rows=1000):
        split = connect().cursor().execute_partitions(SQL, partitions=1)
        partition = impatient(split[0], read_timeout=0.4, retry_max_seconds=0.4, max_workers=2)
        started = time.monotonic()
        with pytest.raises(OperationalError) as caught:
            list(partition.read())
    assert time.monotonic() - started < 3
    assert caught.value.reason == "unreachable" and caught.value.query_id == split.query_id
    assert f"reading chunk 1 of query {split.query_id}" in str(caught.value)
    assert "did not answer in time" in str(caught.value)


def test_a_chunk_whose_download_stalls_raises_naming_it(cloud, connect):
    """A body that trickles in (each piece within read_timeout, the whole never done) is caught
    by the reader's own bound on waiting for a chunk, not waited on forever."""
    trickle = Fault(kind="slow", seconds=0.3, path=r"/chunks/2$", count=1)  # 16 pieces: about 5 s
    with cloud.faults.inject(trickle, v3_chunk_rows=1000):
        split = connect().cursor().execute_partitions(SQL, partitions=1)
        partition = impatient(split[0], read_timeout=0.5, retry_max_seconds=0.5, connect_timeout=0.5, max_workers=2)
        started = time.monotonic()
        with pytest.raises(OperationalError) as caught:
            list(partition.read())
    assert time.monotonic() - started < 4
    assert caught.value.reason == "deadline" and caught.value.query_id == split.query_id
    assert f"chunk 2 of query {split.query_id} did not arrive within 1.5 s" in str(caught.value)
