"""What Superset's Treasure Data engine spec writes (cdpdb/sqlalchemy/superset_rules.py), run through
the treasuredata dialect on the local Treasure Data: every time grain, the date-time literal of a
time-range filter, and the error types of its SQL errors."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from cdpdb.backends.treasuredata.local import serve
from cdpdb.sqlalchemy import superset_rules as rules

PROFILES = "profiles_300001"
STAMP = "last_purchase_at"


@pytest.fixture(scope="module")
def engine():
    with serve(scale=1000) as td:
        host = td.site_url.split("://", 1)[1]
        engine = sa.create_engine(f"treasuredata://{host}/?ca_bundle={td.ca_path}", connect_args={"apikey": td.apikey})
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def stamps(engine) -> list[datetime]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT {STAMP} FROM {PROFILES}")).fetchall()
    return [_utc(r[0]) for r in rows if r[0] is not None]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


@pytest.mark.parametrize("grain", ["P1D", "P1M", "P3M", "P1Y"])
def test_time_grains_group_as_python_does(engine, stamps, grain):
    expression = rules.SQLAPI_TIME_GRAINS[grain].format(col=STAMP)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(f"SELECT {expression} AS t, COUNT(*) AS n FROM {PROFILES} WHERE {STAMP} IS NOT NULL GROUP BY 1")
        ).fetchall()
    truncate = {
        "P1D": lambda t: (t.year, t.month, t.day),
        "P1M": lambda t: (t.year, t.month),
        "P3M": lambda t: (t.year, (t.month - 1) // 3),
        "P1Y": lambda t: (t.year,),
    }[grain]
    assert Counter({truncate(_utc(t)): n for t, n in rows}) == Counter(truncate(t) for t in stamps)


@pytest.mark.parametrize("type_name", ["TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP", "DATE"])
def test_time_range_literal_filters_as_python_does(engine, stamps, type_name):
    ordered = sorted(stamps)
    bound = ordered[len(ordered) // 2].replace(tzinfo=None)
    literal = rules.dttm_literal(type_name, bound)
    with engine.connect() as conn:
        counted = conn.execute(sa.text(f"SELECT COUNT(*) FROM {PROFILES} WHERE {STAMP} >= {literal}")).scalar()
    start = datetime(bound.year, bound.month, bound.day) if type_name == "DATE" else bound
    assert 0 < counted == sum(1 for t in stamps if t >= start.replace(tzinfo=timezone.utc)) < len(stamps)


def test_unknown_table_is_superset_table_error(engine):
    with pytest.raises(sa.exc.DBAPIError) as caught, engine.connect() as conn:
        conn.execute(sa.text("SELECT * FROM no_such_table"))
    assert rules.error_type(rules.error_code(rules.driver_error(caught.value))) == rules.TABLE_MISSING
