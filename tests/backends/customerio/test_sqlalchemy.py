"""``customerio://``: reflection of the write-only tables, and pandas ``to_sql`` (both methods)
sending every row once."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

import cdpdb
from cdpdb.backends.customerio import wire

from .conftest import message_ids


@pytest.fixture
def engine(cio):
    engine = sa.create_engine("customerio://", connect_args=cio.connect_args())
    yield engine
    engine.dispose()


def test_tables_and_columns_are_reflected(engine):
    inspector = sa.inspect(engine)
    assert inspector.get_table_names() == sorted(wire.CALL_TYPES)
    assert inspector.has_table("track") and not inspector.has_table("people")
    columns = {c["name"]: c for c in inspector.get_columns("track")}
    assert list(columns) == [
        "user_id",
        "anonymous_id",
        "event",
        "timestamp",
        "message_id",
        "context",
        "integrations",
        "properties",
    ]
    assert isinstance(columns["timestamp"]["type"], sa.DateTime) and columns["timestamp"]["type"].timezone
    assert "traits" in {c["name"] for c in inspector.get_columns("identify")}
    assert "write-only" in inspector.get_table_comment("alias")["text"]


@pytest.mark.parametrize("method", [None, "multi"])
def test_to_sql_appends_every_row_once(cio, engine, method):
    frame = pd.DataFrame(
        {
            "user_id": [f"u{i}" for i in range(500)],
            "event": "Viewed",
            "price": [float(i) if i % 3 else None for i in range(500)],
            "timestamp": pd.Timestamp("2024-03-01 10:00", tz="UTC"),
        }
    )
    sent = frame.to_sql(
        "track", engine, if_exists="append", index=False, method=method, chunksize=200 if method else None
    )
    assert sent == 500
    received = cio.received("track")
    assert [c["userId"] for c in received] == list(frame["user_id"])
    assert len(set(message_ids(cio))) == 500
    assert received[1]["properties"] == {"price": 1.0} and received[0]["properties"] == {"price": None}
    assert received[0]["timestamp"] == "2024-03-01T10:00:00.000000Z"


def test_to_sql_executemany_reaches_the_session_in_one_call(cio, engine):
    frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(3000)], "event": "e"})
    with engine.connect() as connection:
        session = connection.connection.dbapi_connection.session
        frame.to_sql("track", connection, if_exists="append", index=False)
        assert len(session.api.stats.spans) == 1  # one statement, one request: no per-row round trips
    assert len(cio.received()) == 3000


def test_a_bad_row_in_a_frame_sends_nothing_and_names_the_row(cio, engine):
    frame = pd.DataFrame({"user_id": ["a", None, "c"], "event": ["e", "e", "e"]})
    with pytest.raises(Exception, match="row 1: a track call needs user_id or anonymous_id") as caught:
        frame.to_sql("track", engine, if_exists="append", index=False)
    error = caught.value
    while error is not None and not isinstance(error, cdpdb.DataError):
        error = error.__cause__ or getattr(error, "orig", None)
    assert error is not None and error.write.rejected_rows() == [1]
    assert cio.received() == []


def test_the_url_takes_the_key_and_host_and_never_shows_the_key(cio):
    port = cio.base_url.rsplit(":", 1)[1]
    with pytest.raises(sa.exc.ArgumentError, match="password place"):
        sa.create_engine(f"customerio://{cio.api_key}@127.0.0.1:{port}/").connect()
    url = f"customerio://:{cio.api_key}@127.0.0.1:{port}/?ca_bundle={cio.ca_path}"
    engine = sa.create_engine(url)
    assert cio.api_key not in repr(engine) and cio.api_key not in str(engine.url)
    with engine.connect() as connection:
        connection.execute(sa.text("INSERT INTO page (user_id, name) VALUES (:u, :n)"), {"u": "u1", "n": "Home"})
    assert [c["name"] for c in cio.received("page")] == ["Home"]
    engine.dispose()


def test_select_through_sqlalchemy_is_not_supported(engine):
    with engine.connect() as connection, pytest.raises(sa.exc.NotSupportedError, match="write-only"):
        connection.execute(sa.text("SELECT * FROM track"))
