"""The ``adobe://`` dialect: reflection with sandboxes as schemas, pandas over the URL."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import sqlalchemy as sa

from cdpdb.backends.adobe.local.dataset import identity
from tests.backends.adobe.conftest import entity_calls


def _engine(adobe, monkeypatch, sandbox: str = "prod", **query: str) -> sa.Engine:
    monkeypatch.setenv("CDPDB_CLIENT_SECRET", adobe.credential.client_secret)
    port = adobe.url.rsplit(":", 1)[1]
    options = {"org_id": adobe.org_id, "ims_url": adobe.url, "ca_bundle": adobe.ca_path, **query}
    text = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in options.items())
    return sa.create_engine(f"adobe://{adobe.credential.client_id}@127.0.0.1:{port}/{sandbox}?{text}")


def test_inspect_lists_sandboxes_tables_and_typed_columns(adobe, monkeypatch):
    engine = _engine(adobe, monkeypatch)
    inspector = sa.inspect(engine)
    assert inspector.get_schema_names() == ["prod", "dev"]
    assert inspector.default_schema_name == "prod"
    tables = inspector.get_table_names()
    for name in (
        "profiles",
        "accounts",
        "experience_events",
        "merge_policies",
        "computed_attributes",
        "profile_system_jobs",
        "profile_export_jobs",
        "preview_sample_status",
        "preview_sample_dataset_report",
        "preview_sample_namespace_report",
        "sandboxes",
    ):
        assert name in tables
    assert "sandboxes" not in inspector.get_table_names(schema="dev")
    assert "profiles" in inspector.get_table_names(schema="dev")
    assert inspector.get_table_names(schema="nowhere") == []
    columns = {c["name"]: c for c in inspector.get_columns("profiles")}
    assert isinstance(columns["_cdpdb_loyalty_points"]["type"], sa.BigInteger)
    assert isinstance(columns["person_birthDate"]["type"], sa.Date)
    assert columns["person_name_firstName"]["comment"] == "person.name.firstName"
    assert inspector.get_pk_constraint("profiles")["constrained_columns"] == [
        "namespace",
        "identity",
        "merge_policy_id",
    ]
    assert "identity" in inspector.get_table_comment("profiles", schema="dev")["text"]
    assert inspector.has_table("experience_events", schema="dev")
    engine.dispose()


def test_pandas_read_sql_over_the_url(adobe, monkeypatch):
    engine = _engine(adobe, monkeypatch)
    wanted = [identity("email", n, "prod") for n in range(1, 31)]
    frame = pd.read_sql(
        sa.text(
            "SELECT identity, person_name_lastName, _cdpdb_loyalty_points FROM profiles "
            "WHERE namespace = :ns AND identity IN :ids"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        engine,
        params={"ns": "email", "ids": wanted},
    )
    assert sorted(frame["identity"]) == sorted(wanted)
    assert str(frame["_cdpdb_loyalty_points"].dtype) == "int64"
    assert len(entity_calls(adobe, "POST")) == 1
    engine.dispose()


def test_core_select_on_a_reflected_table_of_another_sandbox(adobe, monkeypatch):
    engine = _engine(adobe, monkeypatch)
    profiles = sa.Table("profiles", sa.MetaData(), schema="dev", autoload_with=engine)
    dev_email = identity("email", 3, "dev")
    query = sa.select(profiles.c.identity, profiles.c.homeAddress_city).where(
        profiles.c.namespace == "email", profiles.c.identity == dev_email
    )
    with engine.connect() as connection:
        got = connection.execute(query).all()
    assert [r[0] for r in got] == [dev_email]
    assert [c.sandbox for c in entity_calls(adobe)] == ["dev"]
    engine.dispose()


def test_the_url_never_shows_the_secret(adobe, monkeypatch):
    port = adobe.url.rsplit(":", 1)[1]
    secret = adobe.credential.client_secret
    engine = sa.create_engine(
        f"adobe://{adobe.credential.client_id}:{quote(secret, safe='')}@127.0.0.1:{port}/prod"
        f"?org_id={quote(adobe.org_id)}&ims_url={quote(adobe.url, safe='')}&ca_bundle={adobe.ca_path}"
    )
    assert secret not in repr(engine.url) and secret not in str(engine.url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM merge_policies")).scalar() == 3
    engine.dispose()


def test_local_url_starts_an_embedded_adobe():
    engine = sa.create_engine("adobe://local?scale=30&seed=5")
    with engine.connect() as connection:
        got = connection.execute(
            sa.text(
                "SELECT identity FROM profiles WHERE namespace = 'crmId' "
                f"AND identity = '{identity('crmId', 30, 'prod')}'"
            )
        ).all()
    assert got == [(identity("crmId", 30, "prod"),)]
    engine.dispose()
