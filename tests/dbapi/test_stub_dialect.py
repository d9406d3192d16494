"""An API backend through SQLAlchemy and pandas: the shared dialect reflects the declared tables."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import registry

from cdpdb.backends import base
from cdpdb.sqlalchemy.catalog import CatalogDialect
from tests.dbapi.test_stub_backend import PEOPLE, StubSession


class StubDialect(CatalogDialect):
    name = backend = "stub"
    supports_statement_cache = True


def open_session(arguments):
    return StubSession()


def test_reflection_and_read_sql(monkeypatch):
    monkeypatch.setitem(base.BUILTIN, "stub", f"{__name__}:open_session")
    registry.register("stub", __name__, "StubDialect")
    engine = sa.create_engine("stub://")
    inspector = sa.inspect(engine)
    assert inspector.get_table_names() == ["people"] and inspector.has_table("people")
    columns = {c["name"]: c["type"] for c in inspector.get_columns("people")}
    assert isinstance(columns["id"], sa.BigInteger) and isinstance(columns["name"], sa.String)
    people = sa.Table("people", sa.MetaData(), autoload_with=engine)
    query = sa.select(people.c.name).where(people.c.id >= 8).order_by(people.c.id)
    with engine.connect() as conn:
        assert conn.execute(query).scalars().all() == ["person 8", "person 9"]
    frame = pd.read_sql("SELECT * FROM people", engine)
    assert frame.to_dict("records") == PEOPLE
