"""A /customers page → Arrow: the same batch as the first, column-by-column implementation (kept
below as the reference), for every attribute type, nulls, an empty page and unknown names; a row
of the wrong width is an error, never a shifted column."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.tables import ARROW_TYPES, TYPES, ProfilesTable
from cdpdb.core.results.decode import decode_column
from cdpdb.core.results.schema import Column
from cdpdb.exceptions import OperationalError

ATTRIBUTES = [
    {"name": "email", "type": "string"},
    {"name": "age", "type": "number"},
    {"name": "seen_at", "type": "timestamp"},
    {"name": "birthday", "type": "date"},
    {"name": "vip", "type": "boolean"},
    {"name": "interests", "type": "string_array"},
    {"name": "amounts", "type": "number_array"},
]
NAMES = [wire.PROFILE_KEY, *(a["name"] for a in ATTRIBUTES)]
ROWS = [
    ["JP1", "a@x.jp", 30, "2025-07-26 15:21:13.000", "1990-01-31", True, ["tea", "music"], [980.0, 1.5]],
    ["JP2", None, 41.5, None, None, None, None, None],
    ["JP3", "c@x.jp", None, "2024-02-29 00:00:00.123", "2000-02-29", False, [], []],
]


def table() -> ProfilesTable:
    return ProfilesTable(None, "300001", "profiles_300001", ATTRIBUTES, "")  # type: ignore[arg-type]


def reference(profiles: ProfilesTable, names: list[str], rows: list[list[Any]]) -> pa.RecordBatch:
    arrays = []
    for index, name in enumerate(names):
        values = [row[index] for row in rows]
        td_type = profiles.td_types.get(name, "string")
        if td_type.endswith("_array"):
            arrays.append(pa.array(values, ARROW_TYPES[td_type]))
        else:
            arrays.append(decode_column(values, Column(name, td_type), TYPES))
    return pa.RecordBatch.from_arrays(arrays, names=names)


@pytest.mark.parametrize(
    ("names", "rows"),
    [
        (NAMES, ROWS),
        (NAMES, ROWS[1:2]),
        (NAMES, []),
        (["age", "unknown", "seen_at"], [[1, "x", None], [None, 2, "2025-01-01 00:00:00.000"]]),
    ],
)
def test_a_page_decodes_as_before(names, rows):
    profiles = table()
    got = profiles._batch(names, rows)
    assert got.equals(reference(profiles, names, rows))
    assert got.schema.field("age").type == pa.float64()
    if "seen_at" in names:
        assert got.schema.field("seen_at").type == pa.timestamp("us", tz="UTC")


def test_every_type_reads_as_declared():
    got = table()._batch(NAMES, ROWS).to_pylist()
    assert got[0]["seen_at"].isoformat() == "2025-07-26T15:21:13+00:00"
    assert got[0]["birthday"].isoformat() == "1990-01-31" and got[0]["amounts"] == [980.0, 1.5]
    assert got[1] == {"cdp_customer_id": "JP2", **dict.fromkeys(NAMES[1:])} | {"age": 41.5}


@pytest.mark.parametrize("bad", [ROWS[0][:-1], [*ROWS[0], "extra"]])
def test_a_row_of_the_wrong_width_is_an_error(bad):
    with pytest.raises(OperationalError, match="columns it names"):
        table()._batch(NAMES, [ROWS[1], bad])
