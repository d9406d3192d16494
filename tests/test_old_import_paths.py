"""Import paths users may already have in their code keep working after the restructure."""

from __future__ import annotations

import sqlalchemy as sa


def test_api_clients():
    from cdpdb.apis import InsightsClient, ProfileClient, encode_filters
    from cdpdb.backends.salesforce import apis

    assert (InsightsClient, ProfileClient, encode_filters) == (
        apis.InsightsClient,
        apis.ProfileClient,
        apis.encode_filters,
    )


def test_dialect_and_superset_spec():
    from cdpdb.backends.salesforce.sqlalchemy.dialect import CDPDialect as New
    from cdpdb.sqlalchemy import CDPDialect
    from cdpdb.sqlalchemy.dialect import CDPDialect as Module
    from cdpdb.sqlalchemy.superset import TIME_GRAIN_EXPRESSIONS, engine_spec

    assert CDPDialect is Module is New and callable(engine_spec) and TIME_GRAIN_EXPRESSIONS["P1D"]
    assert type(sa.create_engine("cdp://").dialect) is New  # the registered entry point


def test_local_data_cloud():
    import cdpdb.local
    from cdpdb.local import Fault, FaultPlan, Limits, LocalDataCloud, serve

    assert cdpdb.local.serve is serve and all(callable(x) for x in (Fault, FaultPlan, Limits, LocalDataCloud))
