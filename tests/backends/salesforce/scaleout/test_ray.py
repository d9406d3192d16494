"""Ray Data reads a V3 result with a local Ray cluster (worker processes) against the local Data
Cloud: every chunk exactly once for any parallelism, a failed read task retried by Ray without
duplicates, an expired result a clear error, and the read tasks' metadata."""

from __future__ import annotations

import pyarrow as pa
import pytest

ray = pytest.importorskip("ray", reason="the ray extra: pip install 'cdpdb[ray]'")

from cdpdb.exceptions import OperationalError  # noqa: E402
from cdpdb.local import Fault  # noqa: E402
from tests.backends.salesforce.scaleout.conftest import SQL, assert_same_rows  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def union(dataset) -> pa.Table:
    return pa.concat_tables(ray.get(dataset.to_arrow_refs()))


@pytest.mark.parametrize("parallelism", [1, 2, 7, 40])
def test_every_chunk_exactly_once(cloud, local_ray, reference, parallelism):
    import cdpdb.ray

    with cloud.faults.inject(v3_chunk_rows=500):  # 10 chunks
        dataset = cdpdb.ray.read_datacloud(SQL, parallelism=parallelism, **cloud.connect_args())
        assert_same_rows(union(dataset), reference)


def test_read_tasks_carry_counts_and_sizes(cloud, local_ray):
    from cdpdb.ray import DataCloudDatasource

    with cloud.faults.inject(v3_chunk_rows=500):
        source = DataCloudDatasource(SQL, **cloud.connect_args())
    tasks = source.get_read_tasks(4)
    assert len(tasks) == 4
    assert [t.metadata.num_rows for t in source.get_read_tasks(1)] == [5000]  # exact: the whole result
    assert all(t.metadata.num_rows is None for t in tasks)  # chunk sizes are not announced: no guess
    assert all(t.metadata.size_bytes > 0 for t in tasks)
    assert source.estimate_inmemory_data_size() == sum(t.metadata.size_bytes for t in tasks)


def test_a_failed_read_task_is_retried_without_duplicates(cloud, local_ray, reference):
    import cdpdb.ray

    with cloud.faults.inject(Fault(status=503, path=r"/chunks/3$", count=1), v3_chunk_rows=500):
        # no HTTP retry: the first read of chunk 3 fails its read task, and Ray runs the task again
        args = cloud.connect_args(max_retries=0, max_workers=1)
        dataset = cdpdb.ray.read_datacloud(SQL, parallelism=3, **args)
        assert_same_rows(union(dataset), reference)
        assert cloud.faults.faults[0].count == 0  # the fault did hit


def test_an_expired_result_is_a_clear_error(cloud, local_ray):
    import cdpdb.ray

    dataset = cdpdb.ray.read_datacloud(SQL, parallelism=2, **cloud.connect_args())
    cloud.expire_results()
    with pytest.raises(Exception) as caught:
        dataset.materialize()
    found = [e for e in _chain(caught.value) if isinstance(e, OperationalError)]
    assert found and found[0].reason == "result_expired", caught.value


def _chain(error: BaseException):
    while error is not None:
        yield error
        error = getattr(error, "cause", None) or error.__cause__
