"""The SQLAlchemy dialect against the local Data Cloud: compilation, reflection, pandas, pools."""

from __future__ import annotations

import decimal

import pandas as pd
import pytest
import sqlalchemy as sa

from cdpdb.sqlalchemy.compat import SQLALCHEMY_2, Double

URL_OPTIONS = "scale=1000&seed=7"


def test_url_parts_become_connect_arguments(cloud):
    dialect = sa.create_engine("cdp://me%40example.com:pw@acme.my.salesforce.com/marketing?client_id=a&api=v2")
    args = dialect.dialect.create_connect_args(dialect.url)[1]
    assert args == {
        "login_url": "https://acme.my.salesforce.com",
        "username": "me@example.com",
        "password": "pw",
        "client_id": "a",
        "api": "v2",
        "dataspace": "marketing",
    }


def test_local_url_works_out_of_the_box():
    engine = sa.create_engine(f"cdp://local?{URL_OPTIONS}")
    frame = pd.read_sql('SELECT count(*) AS n FROM "ssot__Individual__dlm"', engine)
    assert frame["n"].tolist() == [1000]


def test_reflection_matches_the_metadata_api(api, engine):
    answer = {e["name"]: e for e in api.direct("GET", "/api/v1/metadata").json()["metadata"]}
    inspector = sa.inspect(engine)
    assert inspector.get_table_names() == sorted(answer)
    assert inspector.get_schema_names() == ["default", "marketing"]
    assert inspector.get_view_names() == []
    for name, entity in answer.items():
        fields = entity.get("fields") or entity["dimensions"] + entity["measures"]
        columns = inspector.get_columns(name)
        assert [c["name"] for c in columns] == [f["name"] for f in fields]
        assert [c["nullable"] for c in columns] == [f["nullable"] for f in fields]
        assert [c["comment"] for c in columns] == [
            f["displayName"] if f["displayName"] != f["name"] else None for f in fields
        ]
        keys = sorted(entity.get("primaryKeys", []), key=lambda k: int(k["indexOrder"]))
        assert inspector.get_pk_constraint(name)["constrained_columns"] == [k["name"] for k in keys]
        expected_fks = [
            (r["fromEntityAttribute"], r["toEntity"], r["toEntityAttribute"], r["cardinality"])
            for r in entity["relationships"]
            if "fromEntityAttribute" in r
        ]
        fks = inspector.get_foreign_keys(name)
        assert [
            (
                f["constrained_columns"][0],
                f["referred_table"],
                f["referred_columns"][0],
                f["options"]["cdp_cardinality"],
            )
            for f in fks
        ] == expected_fks
        assert inspector.get_table_comment(name)["text"] == entity["displayName"]
        assert inspector.has_table(name)
    assert not inspector.has_table("Nope__dlm")


def test_reflected_types_keep_precision_scale_and_time_zones(engine):
    table = sa.Table("ssot__SalesOrder__dlm", sa.MetaData(), autoload_with=engine)
    types = {c.name: c.type for c in table.columns}
    assert isinstance(types["ssot__GrandTotalAmount__c"], sa.Numeric)
    assert (types["ssot__GrandTotalAmount__c"].precision, types["ssot__GrandTotalAmount__c"].scale) == (18, 2)
    assert isinstance(types["ssot__TotalProductQuantity__c"], sa.BigInteger)
    assert isinstance(types["ssot__DiscountRate__c"], Double)  # sa.Double (1.4: DOUBLE_PRECISION)
    assert isinstance(types["ssot__IsGift__c"], sa.Boolean)
    assert isinstance(types["ssot__OrderDeliveredDate__c"], sa.Date)
    assert types["ssot__OrderStartDate__c"].timezone is True
    assert table.primary_key.columns.keys() == ["ssot__Id__c"]
    [fk] = table.foreign_keys
    assert fk.target_fullname == "ssot__Individual__dlm.ssot__Id__c"


def test_reflecting_everything_takes_one_metadata_request(api, engine):
    metadata = sa.MetaData()
    with engine.connect() as conn:
        metadata.reflect(conn)
        cache = conn.connection.dbapi_connection.metadata
        if SQLALCHEMY_2:
            assert cache.requests == 1
        else:  # 1.4 reflects a foreign key's target table with a new Inspector, whose cache is new
            assert 1 <= cache.requests <= 3
    answer = api.direct("GET", "/api/v1/metadata").json()["metadata"]
    assert set(metadata.tables) == {e["name"] for e in answer}
    assert len(metadata.tables) >= 11


def test_core_query_compiles_and_runs_on_every_api(api, cloud):
    table = sa.table(
        "ssot__SalesOrder__dlm",
        sa.column("ssot__Id__c"),
        sa.column("ssot__OrderCurrencyIsoCode__c"),
        sa.column("ssot__GrandTotalAmount__c"),
    )
    query = (
        sa.select(table.c.ssot__Id__c, table.c.ssot__GrandTotalAmount__c)
        .where(table.c.ssot__OrderCurrencyIsoCode__c.in_(["EUR", "GBP"]))
        .order_by(table.c.ssot__Id__c)
        .limit(5)
        .offset(3)
    )
    expected = [
        tuple(r.values())
        for r in api.hyper(
            'SELECT "ssot__Id__c", "ssot__GrandTotalAmount__c" FROM "ssot__SalesOrder__dlm" '
            "WHERE \"ssot__OrderCurrencyIsoCode__c\" IN ('EUR', 'GBP') ORDER BY 1 LIMIT 5 OFFSET 3"
        ).to_pylist()
    ]
    for api_name in ("v3", "v2", "v1", "connect"):
        engine = sa.create_engine("cdp://", connect_args=cloud.connect_args(api=api_name))
        engine.dialect.legacy_sql = api_name in ("v1", "v2")
        with engine.connect() as conn:
            assert conn.execute(query).fetchall() == expected, api_name
        text = str(query.compile(engine))
        assert ("OFFSET" in text.split("LIMIT")[0]) == (api_name in ("v1", "v2"))


ORDERS = sa.table(
    "ssot__SalesOrder__dlm",
    sa.column("ssot__Id__c", sa.String),
    sa.column("ssot__OrderDeliveredDate__c", sa.Date),
    sa.column("ssot__GrandTotalAmount__c", sa.Numeric(18, 2)),
)


@pytest.mark.parametrize("api_name", ["v3", "connect", "v2", "v1"])
def test_expressions_hyper_cannot_type_alone_run_on_every_api(cloud, api_name):
    """A NULL parameter, an empty IN list, an untyped divisor and a bind name that is no
    identifier: each failed on Hyper ("could not deduce expression type", integer division,
    rounding by a bare NUMERIC, syntax error) until the dialect typed or renamed it."""
    engine = sa.create_engine("cdp://", connect_args=cloud.connect_args(api=api_name))
    engine.dialect.legacy_sql = api_name in ("v1", "v2")
    delivered = ORDERS.c.ssot__OrderDeliveredDate__c
    no_date = sa.bindparam("no date?", None, type_=sa.Date)
    with engine.connect() as conn:
        total = conn.scalar(sa.select(sa.func.count()).select_from(ORDERS))
        assert conn.scalar(sa.select(sa.func.count()).where(sa.func.coalesce(no_date, delivered) == delivered)) == (
            conn.scalar(sa.select(sa.func.count()).where(delivered.is_not(None)))
        )
        assert conn.scalar(sa.select(sa.func.count()).where(ORDERS.c.ssot__Id__c.in_([]))) == 0
        assert conn.scalar(sa.select(sa.func.count()).where(ORDERS.c.ssot__Id__c.not_in([]))) == total
        assert conn.scalar(sa.select(sa.literal(7) / sa.func.abs(sa.literal(2)))) == 3.5
        exact = sa.cast(sa.literal(7), sa.Numeric(10, 2)) / sa.func.abs(sa.cast(sa.literal(3.5), sa.Numeric(10, 2)))
        assert conn.scalar(sa.select(exact)) == 2
        big = sa.cast(sa.literal(7), sa.Numeric(10, 2)) / sa.func.abs(sa.literal(10**12))  # wider than the dividend
        assert conn.scalar(sa.select(big)) == decimal.Decimal("7E-12")
        assert conn.scalar(sa.select(sa.bindparam("1st/value", 5, type_=sa.Integer) + 1)) == 6


def test_statement_cache_is_used(engine):
    table = sa.table("ssot__Individual__dlm", sa.column("ssot__Id__c"))
    with engine.connect() as conn:
        for n in (1, 2, 3):
            rows = conn.execute(sa.select(table.c.ssot__Id__c).order_by(table.c.ssot__Id__c).limit(n)).fetchall()
            assert len(rows) == n
    assert engine.dialect.supports_statement_cache
    assert engine._compiled_cache is not None and len(engine._compiled_cache) >= 1


def test_writes_raise_not_supported(engine):
    with engine.connect() as conn:
        with pytest.raises(sa.exc.NotSupportedError, match="Ingestion API"):
            conn.execute(sa.text('DELETE FROM "ssot__Individual__dlm"'))
        table = sa.Table("NewThing__dll", sa.MetaData(), sa.Column("x", sa.Integer))
        with pytest.raises(sa.exc.NotSupportedError, match="read-only"):
            table.create(conn)


def test_pandas_read_sql_chunks_stream(engine):
    sizes = [
        len(chunk) for chunk in pd.read_sql_query('SELECT * FROM "ssot__EmailEngagement__dlm"', engine, chunksize=1200)
    ]
    assert sum(sizes) == 5000 and max(sizes) == 1200


def test_pandas_read_sql_table_and_exact_decimals(engine):
    frame = pd.read_sql_table("ssot__SalesOrder__dlm", engine)
    assert frame.shape == (3000, 10)
    exact = pd.read_sql_query(
        'SELECT "ssot__GrandTotalAmount__c" FROM "ssot__SalesOrder__dlm"', engine, coerce_float=False
    )
    assert isinstance(exact.iloc[:, 0].dropna().iloc[0], decimal.Decimal)


def test_pool_pre_ping_and_disconnect_detection(engine):
    with engine.connect() as conn:
        dbapi_conn = conn.connection.dbapi_connection
        assert engine.dialect.do_ping(dbapi_conn)
    dbapi_conn.close()  # the pool's connection dies; pre-ping must replace it
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    import cdpdb

    # Disconnects are read from the errors' data (never their text): real errors of each kind.
    with pytest.raises(cdpdb.InterfaceError) as closed:
        dbapi_conn.cursor()
    assert engine.dialect.is_disconnect(closed.value, None, None)
    with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as syntax:
        conn.execute(sa.text("SELEC 1"))
    assert not engine.dialect.is_disconnect(syntax.value.orig, None, None)
    with pytest.raises(cdpdb.OperationalError) as unreachable:
        cdpdb.connect(
            login_url="http://127.0.0.1:9", username="u", password="p", client_id="c", client_secret="s", max_retries=0
        )
    assert unreachable.value.reason == "unreachable" and engine.dialect.is_disconnect(unreachable.value, None, None)


def test_other_dataspace_as_schema(cloud):
    engine = sa.create_engine("cdp://", connect_args=cloud.connect_args(dataspace="marketing"))
    names = sa.inspect(engine).get_table_names()
    assert "ssot__SalesOrder__dlm" not in names and "ssot__EmailEngagement__dlm" in names
    assert sa.inspect(engine).default_schema_name == "marketing"


def test_an_unknown_dataspace_has_no_tables(engine):
    inspector = sa.inspect(engine)
    assert inspector.get_table_names(schema="nowhere") == []
    assert not inspector.has_table("ssot__Individual__dlm", schema="nowhere")


def test_no_secret_shows_in_an_engine_or_its_url():
    secrets = {
        "password": "pw-in-query",
        "client_secret": "cs-1",
        "refresh_token": "rt-1",
        "token": "tk-1",
        "private_key": "pk-1",
        "admin_key": "ak-1",
    }
    query = "&".join(f"{k}={v}" for k, v in secrets.items())
    engine = sa.create_engine(f"cdp://me:url-password@h.example.com/default?client_id=app&tenant_url=https://t&{query}")
    for shown in (repr(engine), str(engine.url), repr(engine.url), engine.url.render_as_string()):
        assert "url-password" not in shown
        assert not [v for v in secrets.values() if v in shown], shown
        assert "client_id=app" in shown and "***" in shown
    revealed = engine.url.render_as_string(hide_password=False)  # asked for explicitly, as SQLAlchemy allows
    assert all(v in revealed for v in secrets.values()) and "url-password" in revealed
    assert "cs-1" not in str(engine.url.set(database="marketing"))  # derived URLs stay masked
