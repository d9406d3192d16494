"""Schemas are dataspaces, consistently: what reflection reports as a schema can be queried, a
table in the connection's own dataspace compiles without a qualifier, and one statement reads
one dataspace. Against the local Data Cloud (dataspaces ``default`` and ``marketing``)."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

import cdpdb
from cdpdb.backends.salesforce.session import active_dataspaces
from cdpdb.backends.salesforce.sqlalchemy.routing import statement_dataspace
from cdpdb.local import Fault

ENGAGEMENT = "ssot__EmailEngagement__dlm"


def sorted_rows(table) -> list[tuple]:
    return sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)


def test_reflect_marketing_then_read_it_with_pandas(api, engine):
    """The engine's URL names dataspace ``default`` (its token is scoped to it); the schema
    ``marketing`` is reflected and read all the same, each with a token for ``marketing``."""
    inspector = sa.inspect(engine)
    tables = inspector.get_table_names(schema="marketing")
    assert ENGAGEMENT in tables and "ssot__SalesOrder__dlm" not in tables
    assert "ssot__SalesOrder__dlm" in inspector.get_table_names()
    metadata = sa.MetaData()
    table = sa.Table(ENGAGEMENT, metadata, schema="marketing", autoload_with=engine)
    assert table.columns.keys() == [c["name"] for c in inspector.get_columns(ENGAGEMENT, schema="marketing")]

    frame = pd.read_sql_table(ENGAGEMENT, engine, schema="marketing")
    expected = api.hyper(f'SELECT * FROM "{ENGAGEMENT}"', dataspace="marketing")
    assert len(frame) == expected.num_rows > 0
    assert list(frame.columns) == expected.column_names


def test_a_schema_qualified_query_runs_in_that_dataspace(api, engine):
    orders = sa.Table("ssot__SalesOrder__dlm", sa.MetaData(), sa.Column("ssot__Id__c", sa.String), schema="marketing")
    with engine.connect() as conn:
        # The order table exists in default only: qualified with marketing, Hyper cannot find it there.
        with pytest.raises(sa.exc.ProgrammingError) as missing:
            conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar()
        assert missing.value.orig.sqlstate == "42P01"
        engagement = sa.table(ENGAGEMENT, sa.column("ssot__Id__c"), schema="marketing")
        ids = conn.execute(sa.select(engagement.c.ssot__Id__c).order_by(engagement.c.ssot__Id__c).limit(5)).fetchall()
    expected = api.hyper(f'SELECT "ssot__Id__c" FROM "{ENGAGEMENT}" ORDER BY 1 LIMIT 5', dataspace="marketing")
    assert [tuple(r) for r in ids] == [tuple(r.values()) for r in expected.to_pylist()]


def test_the_own_dataspace_compiles_without_a_qualifier(engine):
    """Hyper rejects ``"default"."x"`` (schema "default" does not exist): Superset qualifies every
    physical dataset with the schema the dialect reported."""
    orders = sa.Table("ssot__SalesOrder__dlm", sa.MetaData(), schema="default", autoload_with=engine)
    query = sa.select(sa.func.count()).select_from(orders)
    sql = str(query.compile(engine))
    assert '"default"' not in sql and '"ssot__SalesOrder__dlm"' in sql
    with engine.connect() as conn:
        assert conn.execute(query).scalar() == 3000
        assert sa.inspect(conn).default_schema_name == "default"


def test_a_two_dataspace_join_fails_clearly(engine):
    default_orders = sa.table("ssot__SalesOrder__dlm", sa.column("ssot__SoldToCustomerId__c"))
    marketing = sa.table(ENGAGEMENT, sa.column("ssot__IndividualId__c"), schema="marketing")
    join = default_orders.join(
        marketing, default_orders.c.ssot__SoldToCustomerId__c == marketing.c.ssot__IndividualId__c
    )
    with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as error:
        conn.execute(sa.select(sa.func.count()).select_from(join))
    assert isinstance(error.value.orig, cdpdb.ProgrammingError)
    assert "default, marketing" in str(error.value.orig) and "single dataspace" in str(error.value.orig)


def test_text_statements_take_the_dataspace_execution_option(api, engine):
    sql = sa.text(f'SELECT count(*) FROM "{ENGAGEMENT}"')
    expected = api.hyper(f'SELECT count(*) AS n FROM "{ENGAGEMENT}"', dataspace="marketing").column("n")[0].as_py()
    with engine.connect() as conn:
        assert conn.execute(sql.execution_options(dataspace="marketing")).scalar() == expected
        orders = sa.text('SELECT count(*) FROM "ssot__SalesOrder__dlm"')
        assert conn.execute(orders).scalar() == 3000  # the connection's own dataspace
        with pytest.raises(sa.exc.ProgrammingError):
            conn.execute(orders.execution_options(dataspace="marketing"))
    with engine.connect() as conn:  # or for every statement of a connection
        assert conn.execution_options(dataspace="marketing").execute(sql).scalar() == expected


def test_schema_translate_map_routes_too(api, engine):
    engagement = sa.table(ENGAGEMENT, sa.column("ssot__Id__c"), schema="per_tenant")
    with engine.connect() as conn:
        translated = conn.execution_options(schema_translate_map={"per_tenant": "marketing"})
        count = translated.execute(sa.select(sa.func.count()).select_from(engagement)).scalar()
    expected = api.hyper(f'SELECT count(*) AS n FROM "{ENGAGEMENT}"', dataspace="marketing").column("n")[0].as_py()
    assert count == expected


@pytest.mark.parametrize("api_name", ["v3", "connect", "v2", "v1"])
def test_the_driver_runs_a_statement_in_another_dataspace(api, cloud, api_name):
    """The DB-API's ``dataspace`` option, on a connection scoped to ``default``: every Query API."""
    sql = f'SELECT "ssot__Id__c" FROM "{ENGAGEMENT}" ORDER BY 1 LIMIT 3'
    expected = sorted_rows(api.hyper(sql, dataspace="marketing"))
    with cdpdb.connect(**cloud.connect_args(api=api_name, dataspace="default")) as conn:
        cur = conn.cursor()
        cur.execute(sql, dataspace="marketing")
        assert sorted(cur.fetchall(), key=repr) == expected
        cur.execute('SELECT count(*) FROM "ssot__SalesOrder__dlm"')  # the own dataspace still works
        assert cur.fetchone()[0] == 3000
        with pytest.raises(cdpdb.ProgrammingError):
            cur.execute('SELECT count(*) FROM "ssot__SalesOrder__dlm"', dataspace="marketing")


def test_writes_stay_in_the_own_dataspace(cloud):
    engine = sa.create_engine("cdp://", connect_args=cloud.connect_args(admin_key=cloud.admin_key))
    elsewhere = sa.Table("Elsewhere__dll", sa.MetaData(), sa.Column("x", sa.Integer), schema="marketing")
    with engine.connect() as conn:
        with pytest.raises(sa.exc.NotSupportedError, match="own dataspace"):
            elsewhere.create(conn)
        with pytest.raises(sa.exc.NotSupportedError, match="own dataspace"):
            conn.execute(elsewhere.insert().values(x=1))
    engine.dispose()


def test_schema_names_are_the_dataspaces_the_login_sees(engine, cloud):
    """The org's data spaces (Connect's data-spaces list); without that list (a 404, an older
    org or a scoped login) the connection's own is what is known."""
    assert sa.inspect(engine).get_schema_names() == ["default", "marketing"]
    marketing = sa.create_engine("cdp://", connect_args=cloud.connect_args(dataspace="marketing"))
    assert sa.inspect(marketing).get_schema_names() == ["default", "marketing"]
    with cloud.faults.inject(Fault(kind="status", status=404, count=-1, path="/ssot/data-spaces")):
        assert sa.inspect(marketing).get_schema_names() == ["marketing"]
    marketing.dispose()


def test_routing_rules():
    own = "default"
    assert statement_dataspace([None], {}, own) is None
    assert statement_dataspace(["default", None], {}, own) is None
    assert statement_dataspace(["marketing"], {}, own) == "marketing"
    assert statement_dataspace([], {"dataspace": "marketing"}, own) == "marketing"
    assert statement_dataspace([None], {"dataspace": "marketing"}, own) == "marketing"
    assert statement_dataspace(["x"], {"schema_translate_map": {"x": "marketing"}}, own) == "marketing"
    assert statement_dataspace(["x"], {"schema_translate_map": {"x": None}}, own) is None
    with pytest.raises(cdpdb.ProgrammingError, match="default, marketing"):
        statement_dataspace([None, "marketing"], {}, own)
    with pytest.raises(cdpdb.NotSupportedError):
        statement_dataspace(["marketing"], {}, own, writes=True)
    assert statement_dataspace([None], {}, own, writes=True) is None


def test_data_spaces_answer_is_read_by_name_and_status():
    body = {
        "dataSpaces": [
            {"id": "0vh1", "label": "Default", "name": "default", "status": "Active"},
            {"id": "0vh2", "label": "Marketing", "name": "marketing", "status": "Active"},
            {"id": "0vh3", "label": "Old", "name": "old", "status": "Inactive"},
            {"id": "0vh4", "label": "No status", "name": "unstated"},
        ],
        "totalSize": 4,
    }
    assert active_dataspaces(body) == ["default", "marketing", "unstated"]
    assert active_dataspaces({}) == [] and active_dataspaces(None) == []
