"""fetchall() makes each page's rows while the next page downloads: the rows it returns are the
same, in order, wherever the cursor stood, and a failure part-way still loses nothing received."""

from __future__ import annotations

import pytest

import cdpdb
from cdpdb.local import serve
from tests.conftest import ISSUED_SECRETS, Api
from tests.dbapi.test_trust import PAGED, paged_cursor


def expected_orders(api) -> list[tuple]:
    return [
        tuple(r.values()) for r in api.hyper('SELECT * FROM "ssot__SalesOrder__dlm" ORDER BY "ssot__Id__c"').to_pylist()
    ]


@pytest.mark.parametrize("api_name", ["v2", "v3"])
def test_fetchall_after_partial_fetches_returns_the_rest_in_order(api, cloud, connect, api_name):
    expected = expected_orders(api)
    cur = paged_cursor(cloud, connect, api_name)
    first = [cur.fetchone(), *cur.fetchmany(149)]  # stops inside the second page of 100 rows
    rest = cur.fetchall()
    assert first + rest == expected and len(rest) == 2850
    assert cur.fetchall() == [] and cur.fetchone() is None


@pytest.fixture(scope="module")
def own_cloud():
    """A local Data Cloud of this module's own: a V2 chain broken part-way leaves its next batch id
    issued and unused, which the session's cloud must not keep (test_queries.py checks that every
    id issued there was used)."""
    with serve(scale=1000, seed=7) as instance:
        creds = instance.credentials
        ISSUED_SECRETS.update({creds.password, creds.client_secret, creds.refresh_token})
        yield instance


@pytest.mark.parametrize("api_name", ["v2", "v3"])
def test_a_failure_inside_fetchall_keeps_the_pages_it_had_converted(own_cloud, api_name):
    expected = expected_orders(Api(own_cloud))
    _, path, skip = PAGED[api_name]
    broken = cdpdb.local.Fault(kind="status", status=500, path=path, skip=skip + 4, count=-1)
    opened: list[cdpdb.Connection] = []

    def connect(**overrides):
        opened.append(cdpdb.connect(**own_cloud.connect_args(**overrides)))
        return opened[-1]

    with own_cloud.faults.inject(broken):
        cur = paged_cursor(own_cloud, connect, api_name, prefetch=0)
        head = cur.fetchmany(30)
        with pytest.raises(cdpdb.InternalError):
            cur.fetchall()  # pages 2 to 5 arrived (and were made into rows), page 6 failed
        kept = cur.fetchmany(10_000)
    assert head + kept == expected[: 30 + len(kept)]
    assert len(head) + len(kept) == 500  # every page that arrived, none twice
    with pytest.raises(cdpdb.InternalError, match="failed earlier"):
        cur.fetchall()
    for conn in opened:
        conn.close()
