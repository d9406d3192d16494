"""Settings, login and the SQLAlchemy dialect."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import cdpdb
from cdpdb.backends.crescendolab.settings import Settings
from cdpdb.exceptions import OperationalError, ProgrammingError


def test_the_token_comes_from_the_environment():
    settings = Settings.from_arguments({}, environ={"CDPDB_CRESCENDO_TOKEN": "t0k"})
    assert settings.token == "t0k" and "t0k" not in repr(settings)
    with pytest.raises(ProgrammingError, match="CDPDB_CRESCENDO_TOKEN"):
        Settings.from_arguments({}, environ={})


@pytest.mark.parametrize(
    ("region", "host"), [("tw", "api.cresclab.com"), ("th", "api.cresclab.com"), ("jp", "api.jp.cresclab.com")]
)
def test_the_region_picks_the_host(region, host):
    assert Settings.from_arguments({"token": "t", "region": region}, environ={}).base == f"https://{host}"


@pytest.mark.parametrize(
    "bad",
    [
        {"region": "us"},
        {"import_rows": 10_001},
        {"rate_limit": 16},
        {"import_key": "email"},
        {"import_task_path": "/x/"},
    ],
)
def test_bad_settings_name_the_setting(bad):
    with pytest.raises(ProgrammingError, match=next(iter(bad))):
        Settings.from_arguments({"token": "t", **bad}, environ={})


def test_a_wrong_token_is_an_operational_error(crescendo):
    connection = cdpdb.connect(backend="crescendolab", **crescendo.connect_args(token="wrong"))
    with pytest.raises(OperationalError) as caught:
        connection.cursor().execute("SELECT * FROM members")
    assert caught.value.reason == "unauthorised" and "wrong" not in str(caught.value)


def test_the_paths_are_settings(crescendo):
    connection = cdpdb.connect(backend="crescendolab", **crescendo.connect_args(import_path="/elsewhere/"))
    with pytest.raises(ProgrammingError, match="import_path"):
        connection.cursor().execute("INSERT INTO contacts (line_uid) VALUES ('U1')")


def test_the_dialect_reflects_and_masks_the_token(crescendo):
    port = int(crescendo.base_url.rsplit(":", 1)[1])
    url = sa.engine.URL.create("crescendolab", password=crescendo.token, host="127.0.0.1", port=port)
    assert crescendo.token not in str(url)
    engine = sa.create_engine(url, connect_args={"ca_bundle": crescendo.ca_path})
    names = sa.inspect(engine).get_table_names()
    assert set(names) == {"contacts", "members", "segments", "segment_members", "tags"}
    columns = {c["name"] for c in sa.inspect(engine).get_columns("contacts")}
    assert {"line_uid", "display_email", "birthday"} <= columns
    with engine.connect() as connection:
        connection.execute(sa.text("INSERT INTO contacts (line_uid) VALUES (:u)"), [{"u": "U1"}, {"u": "U2"}])
    assert len(crescendo.contacts.rows) == 2
    engine.dispose()
