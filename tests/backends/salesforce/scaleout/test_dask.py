"""Dask reads a V3 result on a ``distributed.LocalCluster`` with worker processes against the
local Data Cloud: exact rows for any partition count, the right meta, a failed task retried
without duplicates, and an expired result a clear error."""

from __future__ import annotations

import pyarrow as pa
import pytest

distributed = pytest.importorskip("distributed", reason="the dask extra: pip install 'cdpdb[dask]'")

from cdpdb.core.results.frames import to_pandas  # noqa: E402
from cdpdb.exceptions import OperationalError  # noqa: E402
from cdpdb.local import Fault  # noqa: E402
from tests.backends.salesforce.scaleout.conftest import KEY, SQL  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as dask_client:
            yield dask_client


def assert_same_frame(frame, reference: pa.Table) -> None:
    expected = to_pandas(reference).sort_values(KEY).reset_index(drop=True)
    got = frame.sort_values(KEY).reset_index(drop=True)
    assert not got[KEY].duplicated().any()
    assert list(got.dtypes) == list(expected.dtypes)
    assert got.equals(expected)


@pytest.mark.parametrize("partitions", [1, 2, 7, 40])
def test_every_chunk_exactly_once(cloud, client, reference, partitions):
    import cdpdb.dask

    with cloud.faults.inject(v3_chunk_rows=500):  # 10 chunks
        frame = cdpdb.dask.read_datacloud(SQL, partitions=partitions, **cloud.connect_args())
        assert frame.npartitions == min(partitions, 10)
        assert list(frame.dtypes) == list(to_pandas(reference.slice(0, 0)).dtypes)  # meta, before computing
        assert_same_frame(client.compute(frame).result(), reference)


def test_a_failed_task_is_retried_without_duplicates(cloud, client, reference):
    import cdpdb.dask

    with cloud.faults.inject(Fault(status=503, path=r"/chunks/3$", count=1), v3_chunk_rows=500):
        args = cloud.connect_args(max_retries=0, max_workers=1)  # no HTTP retry: the task itself fails once
        frame = cdpdb.dask.read_datacloud(SQL, partitions=3, **args)
        assert_same_frame(client.compute(frame, retries=2).result(), reference)
        assert cloud.faults.faults[0].count == 0  # the fault did hit


def test_an_expired_result_is_a_clear_error(cloud, client):
    import cdpdb.dask

    with cloud.faults.inject(v3_chunk_rows=1000):
        frame = cdpdb.dask.read_datacloud(SQL, partitions=2, **cloud.connect_args())
        cloud.expire_results()
        with pytest.raises(OperationalError) as caught:
            client.compute(frame).result()
    assert caught.value.reason == "result_expired"
