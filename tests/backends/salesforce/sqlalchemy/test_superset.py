"""What Superset does with a database, done through the cdp dialect against the local Data Cloud:
list tables and columns, run a SQL Lab query with a LIMIT, group by every time grain."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cdpdb.backends.salesforce.sqlalchemy.superset import TIME_GRAIN_EXPRESSIONS


@pytest.fixture
def engine(cloud):
    engine = sa.create_engine("cdp://", connect_args=cloud.connect_args())
    yield engine
    engine.dispose()


def test_table_and_column_listing(engine):
    inspector = sa.inspect(engine)
    assert "ssot__EmailEngagement__dlm" in inspector.get_table_names(schema="default")
    columns = {c["name"]: c for c in inspector.get_columns("ssot__EmailEngagement__dlm", schema="default")}
    assert columns["ssot__EngagementDateTm__c"]["type"].timezone is True  # Superset's temporal column


def test_sql_lab_query_with_limit(engine):
    # SQL Lab wraps the user's query and applies its row limit.
    sql = 'SELECT * FROM (SELECT * FROM "ssot__EmailEngagement__dlm") AS inner_qry LIMIT 1000'
    with engine.connect() as conn:
        rows = conn.execute(sa.text(sql)).fetchall()
    assert len(rows) == 1000


@pytest.mark.parametrize("grain", sorted(k for k in TIME_GRAIN_EXPRESSIONS if k))
def test_every_time_grain_runs(api, engine, grain):
    expression = TIME_GRAIN_EXPRESSIONS[grain].format(col='"ssot__EngagementDateTm__c"')
    sql = (
        f'SELECT {expression} AS __timestamp, COUNT(*) AS count FROM "ssot__EmailEngagement__dlm" '
        "GROUP BY 1 ORDER BY 1 LIMIT 10000"
    )
    with engine.connect() as conn:
        rows = conn.execute(sa.text(sql)).fetchall()
    assert sum(r[1] for r in rows) == 5000
    assert rows == [tuple(r.values()) for r in api.hyper(sql).to_pylist()]
