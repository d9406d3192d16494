"""Pure functions of the Adobe client: XDM flattening, the time window, error mapping, settings."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from cdpdb.backends.adobe import wire, xdm
from cdpdb.backends.adobe.errors import error_from_response
from cdpdb.backends.adobe.local import schemas
from cdpdb.backends.adobe.settings import Settings
from cdpdb.backends.adobe.tables import time_window
from cdpdb.core.sqlapi.tables import BETWEEN, GE, GT, LT, Predicate
from cdpdb.exceptions import InternalError, OperationalError, ProgrammingError

UTC = dt.timezone.utc


def test_union_schema_flattens_to_typed_columns():
    fields = {f.column: (f.path, f.type) for f in xdm.flatten_schema(schemas.PROFILE, frozenset({"identity"}))}
    assert fields["person_name_firstName"] == ("person.name.firstName", pa.string())
    assert fields["person_birthDate"] == ("person.birthDate", pa.date32())
    assert fields["_cdpdb_loyalty_points"] == ("_cdpdb.loyalty.points", pa.int64())
    assert fields["_cdpdb_lifetimeValue"][1] == pa.float64() and fields["_cdpdb_vip"][1] == pa.bool_()
    assert fields["identityMap"] == ("identityMap", pa.string())  # a map: JSON text
    event = {f.column: f for f in xdm.flatten_schema(schemas.EVENT, frozenset({"timestamp"}))}
    assert event["timestamp_xdm"].path == "timestamp" and event["timestamp_xdm"].type == xdm.UTC_TIME


def test_values_take_their_column_types():
    assert xdm.column_value("2026-05-01T10:00:00.000Z", xdm.UTC_TIME) == dt.datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert xdm.column_value(1_700_000_000_000, xdm.UTC_TIME) == dt.datetime.fromtimestamp(1_700_000_000, UTC)
    assert xdm.column_value({"a": 1}, pa.string()) == '{"a":1}'
    assert xdm.column_value("12", pa.int64()) is None  # a wrong type is NULL, not a guess
    assert xdm.value_at({"a": {"b": 2}}, "a.b") == 2 and xdm.value_at({"a": 1}, "a.b") is None


def test_time_window_is_a_superset_in_milliseconds():
    t = dt.datetime(2026, 1, 1, tzinfo=UTC)
    ms = int(t.timestamp() * 1000)
    assert time_window([Predicate("timestamp", GE, t), Predicate("timestamp", LT, t + dt.timedelta(seconds=1))]) == (
        ms,
        ms + 1001,
    )
    assert time_window([Predicate("timestamp", GT, t), Predicate("timestamp", GT, t + dt.timedelta(seconds=5))]) == (
        ms + 5000,
        None,
    )
    assert time_window([Predicate("timestamp", BETWEEN, (t, t))]) == (ms, ms + 1)
    assert time_window([]) == (None, None)


@pytest.mark.parametrize(
    "status, body, kind, reason",
    [
        (401, {"error": "invalid_client", "error_description": "bad"}, OperationalError, "invalid_client"),
        (401, {"error_code": "401013", "message": "Oauth token is not valid"}, OperationalError, "401013"),
        (403, {"error_code": "403027", "message": "no"}, OperationalError, "403027"),
        (
            400,
            {"type": "http://ns.adobe.com/aep/errors/UPS-1001-400", "status": 400, "title": "bad"},
            ProgrammingError,
            "UPS-1001-400",
        ),
        (
            404,
            {"type": "http://ns.adobe.com/aep/errors/UPS-1003-404", "status": 404, "title": "gone"},
            ProgrammingError,
            "UPS-1003-404",
        ),
        (429, {"error_code": "429050", "message": "Too many requests"}, OperationalError, "429050"),
        (503, None, InternalError, None),
    ],
)
def test_error_bodies_map_to_the_pep249_tree(status, body, kind, reason):
    error = error_from_response(status, body, text="", what="looking up profiles")
    assert type(error) is kind and error.reason == reason and error.status == status


def test_settings_name_what_is_missing():
    with pytest.raises(ProgrammingError, match="org_id"):
        Settings.from_arguments({"client_id": "a", "client_secret": "b"}, environ={})
    with pytest.raises(ProgrammingError, match="batch_size"):
        Settings.from_arguments({"client_id": "a", "client_secret": "b", "org_id": "o", "batch_size": 101}, environ={})
    found = Settings.from_arguments({"client_id": "a", "org_id": "o"}, environ={"CDPDB_ADOBE_CLIENT_SECRET": "s3cret"})
    assert found.client_secret == "s3cret" and "s3cret" not in repr(found)
    assert found.sandbox == wire.DEFAULT_SANDBOX and found.base_url == wire.PLATFORM_URL
