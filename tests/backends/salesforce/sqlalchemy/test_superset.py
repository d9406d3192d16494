"""What Superset does with a database, done through the cdp dialect against the local Data Cloud:
list tables and columns, run a SQL Lab query with a LIMIT, group by every time grain."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from cdpdb.backends.salesforce.sqlalchemy.superset import EPOCH_MS_TO_DTTM, EPOCH_TO_DTTM, TIME_GRAIN_EXPRESSIONS
from cdpdb.sqlalchemy import superset_rules as rules


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


# -- what the engine spec decides (cdpdb/sqlalchemy/superset_rules.py), on real errors and SQL ----


def _failure(engine, sql="SELECT 1"):
    with pytest.raises(sa.exc.DBAPIError) as caught, engine.connect() as conn:
        conn.execute(sa.text(sql))
    return caught.value


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('SELECT * FROM "no_such_table__dlm"', rules.TABLE_MISSING),
        ('SELECT "no_such_column" FROM "ssot__SalesOrder__dlm"', rules.COLUMN_MISSING),
        ('SELEC * FROM "ssot__SalesOrder__dlm"', rules.SYNTAX),
    ],
)
def test_sql_errors_get_superset_types_from_their_sqlstate(engine, sql, expected):
    failure = _failure(engine, sql)
    error = rules.driver_error(failure)  # SQLAlchemy's wrapper → the cdpdb error (its .orig)
    assert error is failure.orig
    assert rules.error_type(rules.error_code(error)) == expected
    # SQL Lab keeps only text: the code the spec writes into it is read back.
    sql_lab_text = f"Salesforce Data Cloud error: {rules.tagged_message(error)}"
    assert rules.type_from_text(sql_lab_text) == expected
    assert rules.driver_message(sql_lab_text) == error.message


def _engine_with(cloud, **overrides):
    query = {k: v for k, v in cloud.connect_args(**overrides).items() if v is not None}
    return sa.create_engine(sa.engine.URL.create("cdp", database="default", query=query))


def test_login_and_tls_failures_get_superset_types(cloud):
    wrong_password = _failure(_engine_with(cloud, password="not-the-password"))
    no_ca = _failure(_engine_with(cloud, ca_bundle=None))
    assert rules.error_type(rules.error_code(rules.driver_error(wrong_password))) == rules.ACCESS_DENIED
    assert rules.error_type(rules.error_code(rules.driver_error(no_ca))) == rules.MISSING_PARAMETERS
    # "Test connection" hands the spec str(exception) only: the text fallback must agree.
    assert rules.type_from_text(str(wrong_password)) == rules.ACCESS_DENIED
    assert rules.type_from_text(str(no_ca)) == rules.MISSING_PARAMETERS
    assert rules.driver_message(str(wrong_password)) == wrong_password.orig.message  # what the user reads
    assert rules.driver_error(ValueError("not a driver error")) is None


def test_a_cause_chain_is_followed_to_the_driver_error(engine):
    failure = _failure(engine, 'SELECT * FROM "no_such_table__dlm"')
    try:
        raise RuntimeError("Superset's own exception") from failure
    except RuntimeError as wrapped:
        assert rules.driver_error(wrapped) is failure.orig


@pytest.mark.parametrize("type_name", ["TIMESTAMP WITH TIME ZONE", "TIMESTAMP", "DATETIME", "DATE"])
def test_date_time_literals_filter_as_python_does(engine, type_name):
    """convert_dttm's literal, run by Hyper, keeps exactly the rows Python's comparison keeps."""
    bound = datetime(2024, 3, 15, 12, 30, 45, 123456)
    literal = rules.dttm_literal(type_name, bound)
    with engine.connect() as conn:
        stamps = [r[0] for r in conn.execute(sa.text('SELECT "ssot__OrderStartDate__c" FROM "ssot__SalesOrder__dlm"'))]
        counted = conn.execute(
            sa.text(f'SELECT COUNT(*) FROM "ssot__SalesOrder__dlm" WHERE "ssot__OrderStartDate__c" >= {literal}')
        ).scalar()
    if type_name == "DATE":
        expected = sum(1 for s in stamps if s is not None and s >= datetime(2024, 3, 15, tzinfo=timezone.utc))
    else:
        expected = sum(1 for s in stamps if s is not None and s >= bound.replace(tzinfo=timezone.utc))
    assert 0 < counted == expected < len(stamps)


def test_no_literal_for_a_type_that_is_no_date():
    assert rules.dttm_literal("VARCHAR", datetime(2024, 1, 1)) is None
    assert rules.dttm_literal("TIMESTAMP WITH TIME ZONE", datetime(2024, 1, 1, tzinfo=timezone.utc)) == (
        "TIMESTAMPTZ '2024-01-01 00:00:00.000000+00:00'"
    )


@pytest.mark.parametrize(("expression", "value"), [(EPOCH_TO_DTTM, 1700000000), (EPOCH_MS_TO_DTTM, 1700000000123)])
def test_epoch_conversions(engine, expression, value):
    with engine.connect() as conn:
        got = conn.execute(sa.text("SELECT " + expression.format(col=str(value)))).scalar()
    seconds = value / 1000 if expression == EPOCH_MS_TO_DTTM else value
    assert got == datetime.fromtimestamp(seconds, tz=timezone.utc)
