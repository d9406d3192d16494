"""Activations in a folder: every server-side filter, sorting and cursor paging, against the
same question answered over the whole list."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.backends.treasuredata.local.conftest import CUSTOMERS_JP

ROOT = "800001"  # the root folder of Customers JP: every activation of its segments
BASE = f"/audiences/{CUSTOMERS_JP}/folders/{ROOT}/syndications"


def everything(http, query: str = "") -> list[dict]:
    """Every activation of a listing, following the cursor."""
    items, after = [], None
    while True:
        suffix = f"&page[after]={after}" if after else ""
        answer = http.ok("GET", f"{BASE}?page[size]=7{query}{suffix}")
        items += answer["syndications"]
        if not answer["pagination"]["hasNext"]:
            assert answer["pagination"]["nextPage"] is None
            return items
        after = answer["pagination"]["nextPage"]


def test_shape_and_cursor_paging(http):
    first = http.ok("GET", f"{BASE}?page[size]=7")
    assert set(first) == {"syndications", "pagination"}
    assert set(first["pagination"]) == {"hasNext", "nextPage", "approximateCount"}
    item = first["syndications"][0]
    assert {
        "id",
        "name",
        "segmentId",
        "segmentName",
        "folder",
        "connectionType",
        "scheduleStatus",
        "startAt",
        "repeatUnit",
        "createdBy",
        "updatedAt",
        "activationTemplateId",
    } <= set(item)
    total = first["pagination"]["approximateCount"]
    assert total == 8 * 3 and first["pagination"]["hasNext"] and len(first["syndications"]) == 7
    items = everything(http)
    assert len(items) == total and len({a["id"] for a in items}) == total  # no repeats, no gaps
    default = [a["updatedAt"] for a in items]
    assert default == sorted(default, reverse=True)


def test_subfolders_count_and_other_folders_narrow(http):
    marketing = next(f for f in http.ok("GET", f"/audiences/{CUSTOMERS_JP}/folders") if f["name"] == "Marketing")
    inside = http.ok("GET", f"/audiences/{CUSTOMERS_JP}/folders/{marketing['id']}/syndications?page[size]=100")
    assert inside["syndications"] and {a["folder"][0]["id"] for a in inside["syndications"]} == {marketing["id"]}
    assert inside["pagination"]["approximateCount"] < 24


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("name_include=gmail", lambda a: "gmail" in a["name"].lower()),
        ("name_include=GOOGLE", lambda a: "google" in a["name"].lower()),
        ("segment_name_include=vip", lambda a: "vip" in a["segmentName"].lower()),
        ("connection_type=sftp&connection_type=braze", lambda a: a["connectionType"] in ("sftp", "braze")),
        ("connection_type=s3_v2,google_ads", lambda a: a["connectionType"] in ("s3_v2", "google_ads")),
        ("schedule_status=active", lambda a: a["scheduleStatus"] == "active"),
        ("created_by_td_user_id=1002", lambda a: a["createdBy"]["td_user_id"] == "1002"),
        ("activation_template_id=none", lambda a: a["activationTemplateId"] is None),
        ("repeat_unit=day&repeat_unit=week", lambda a: a["repeatUnit"] in ("day", "week")),
        (
            "start_after=2025-06-01T00:00:00Z",
            lambda a: a["startAt"] is not None and datetime.fromisoformat(a["startAt"]) >= datetime(2025, 6, 1),
        ),
        (
            "start_before=2025-06-01T00:00:00Z&start_after=2025-01-01T00:00:00Z",
            lambda a: (
                a["startAt"] is not None
                and datetime(2025, 1, 1) <= datetime.fromisoformat(a["startAt"]) <= datetime(2025, 6, 1)
            ),
        ),
    ],
)
def test_filters(http, query, keep):
    expected = {a["id"] for a in everything(http) if keep(a)}
    got = everything(http, "&" + query)
    assert {a["id"] for a in got} == expected and expected  # not vacuous
    assert http.ok("GET", f"{BASE}?{query}")["pagination"]["approximateCount"] == len(expected)


@pytest.mark.parametrize(("key", "field"), [("name", "name"), ("start_at", "startAt"), ("created_at", "createdAt")])
def test_sorted_by(http, key, field):
    for direction in ("asc", "desc"):
        items = everything(http, f"&sorted_by={key}:{direction}")
        present = [a[field] for a in items if a[field] is not None]
        assert present == sorted(present, reverse=direction == "desc")
        assert all(a[field] is None for a in items[len(present) :])  # nulls last


def test_bad_parameters(http):
    for query in (
        "sorted_by=colour:asc",
        "sorted_by=name:up",
        "page[size]=0",
        "page[size]=1000",
        "page[after]=nonsense",
        "start_after=yesterday",
        "created_by_td_user_id=me",
    ):
        answer = http.get(f"{BASE}?{query}")
        assert answer.status_code == 400, query
        assert set(answer.json()) == {"code", "message"}
    assert http.get(f"/audiences/{CUSTOMERS_JP}/folders/999/syndications").status_code == 404
