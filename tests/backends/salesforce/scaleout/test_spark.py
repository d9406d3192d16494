"""Spark (local mode, task retries on) reads a V3 result through the ``cdpdb`` Python Data Source
against the local Data Cloud: exact rows for any partition count, a failed task retried without
duplicates, and an expired result a clear error."""

from __future__ import annotations

import os
import shutil

import pyarrow as pa
import pytest

pytest.importorskip("pyspark", reason="the spark extra: pip install 'cdpdb[spark]'")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java: apt-get install -y default-jre-headless (.ci/run does)", allow_module_level=True)

from pyspark.sql import SparkSession

from cdpdb.local import Fault
from tests.backends.salesforce.scaleout.conftest import KEY, SQL

pytestmark = pytest.mark.slow


SECRETS = ("password", "client_secret")


@pytest.fixture(scope="module")
def spark(cloud):
    """Secrets go to Spark as CDPDB_* environment variables, never as options: py4j logs every
    option it sends to the JVM (at DEBUG), and the executors inherit the environment."""
    creds = cloud.credentials
    saved = {name: os.environ.get(name) for name in ("CDPDB_PASSWORD", "CDPDB_CLIENT_SECRET")}
    os.environ["CDPDB_PASSWORD"], os.environ["CDPDB_CLIENT_SECRET"] = creds.password, creds.client_secret
    session = (
        SparkSession.builder.master("local[2,3]")  # 2 threads; a failed task is tried up to 3 times
        .appName("cdpdb-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    from cdpdb.spark import register

    register(session)
    yield session
    session.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def load(spark, cloud, **options):
    reader = spark.read.format("cdpdb").option("sql", SQL)
    for name, value in {**cloud.connect_args(), **options}.items():
        if name not in SECRETS:
            reader = reader.option(name, str(value))
    return reader.load()


def assert_same(frame, reference: pa.Table) -> None:
    """Every row once: the keys as a multiset, and each row's values, compared in key order."""
    got = frame.toArrow().sort_by(KEY)
    keys = got.column(KEY).to_pylist()
    assert len(keys) == len(set(keys)) == reference.num_rows
    assert got.column_names == reference.column_names
    for name in reference.column_names:
        assert got.column(name).to_pylist() == reference.column(name).to_pylist(), name


@pytest.mark.parametrize("partitions", [1, 2, 7, 40])
def test_every_chunk_exactly_once(spark, cloud, reference, partitions):
    with cloud.faults.inject(v3_chunk_rows=500):  # 10 chunks
        frame = load(spark, cloud, partitions=partitions)
        assert frame.rdd.getNumPartitions() == min(partitions, 10)
        assert_same(frame, reference)


def test_a_failed_task_is_retried_without_duplicates(spark, cloud, reference):
    with cloud.faults.inject(Fault(status=503, path=r"/chunks/3$", count=1), v3_chunk_rows=500):
        assert_same(load(spark, cloud, partitions=3, max_retries=0, max_workers=1), reference)
        assert cloud.faults.faults[0].count == 0  # the fault did hit


def test_an_expired_result_is_a_clear_error(spark, cloud):
    with cloud.faults.inject(v3_chunk_rows=1000):
        frame = load(spark, cloud, partitions=2)
        frame.count()  # planned and read once: the query ran
        cloud.expire_results()
        with pytest.raises(Exception, match="result_expired|is no longer on the server"):
            frame.collect()
