"""The members table: the documented filters pushed down (the server's request log proves it) and
the next/start cursor as paging."""

from __future__ import annotations

import datetime as dt

import pytest


def _member_queries(server) -> list[dict[str, str]]:
    return [q for method, path, q in server.requests if method == "GET" and path == "/openapi/v1/member/"]


@pytest.fixture
def people(crescendo):
    for i in range(7):
        crescendo.contacts.add(
            line_uid=f"U{i}",
            display_name=f"n{i}",
            display_email=f"u{i}@x.com",
            display_mobile=f"+88691234567{i}",
            customer_id=f"C{i}",
            status="blocked" if i == 4 else "active",
            tags=["vip"] if i % 2 else [],
        )


@pytest.mark.parametrize(
    ("where", "param", "value", "expected"),
    [
        ("line_uid = 'U2'", "line_uid", "U2", ["U2"]),
        ("email = 'u3@x.com'", "email", "u3@x.com", ["U3"]),
        ("mobile = '+886912345675'", "mobile", "+886912345675", ["U5"]),
        ("customer_id = 'C6'", "customer_id", "C6", ["U6"]),
        ("status = 'blocked'", "status", "blocked", ["U4"]),
        ("member_id = '2'", "member_id", "2", ["U1"]),
    ],
)
def test_equality_filters_are_pushed_down(crescendo, connect, people, where, param, value, expected):
    cursor = connect().cursor()
    cursor.execute(f"SELECT line_uid FROM members WHERE {where}")
    assert [r[0] for r in cursor.fetchall()] == expected
    assert _member_queries(crescendo) == [{param: value}]


def test_updated_at_ranges_are_pushed_down(crescendo, connect, people):
    stamps = sorted(r["updated_at"] for r in crescendo.contacts.rows.values())
    low = dt.datetime.fromisoformat(stamps[2].replace("Z", "+00:00"))
    high = dt.datetime.fromisoformat(stamps[4].replace("Z", "+00:00"))
    cursor = connect().cursor()
    cursor.execute("SELECT line_uid FROM members WHERE updated_at BETWEEN ? AND ? ORDER BY line_uid", (low, high))
    assert [r[0] for r in cursor.fetchall()] == ["U2", "U3", "U4"]
    (query,) = _member_queries(crescendo)
    assert set(query) == {"updated_at_min", "updated_at_max"}


def test_in_on_line_uid_is_one_query_per_value(crescendo, connect, people):
    cursor = connect().cursor()
    cursor.execute("SELECT line_uid FROM members WHERE line_uid IN ('U1', 'U5') ORDER BY 1")
    assert [r[0] for r in cursor.fetchall()] == ["U1", "U5"]
    assert sorted(q["line_uid"] for q in _member_queries(crescendo)) == ["U1", "U5"]


def test_pages_follow_the_cursor(crescendo, connect, people):
    crescendo.faults.set_limits(member_page_rows=3)
    cursor = connect().cursor()
    cursor.execute("SELECT line_uid, tags FROM members")
    rows = cursor.fetchall()
    assert [r[0] for r in rows] == [f"U{i}" for i in range(7)]
    assert rows[1][1] == ["vip"] and rows[0][1] == []
    queries = _member_queries(crescendo)
    assert len(queries) == 3 and "start" not in queries[0] and all("start" in q for q in queries[1:])


def test_filters_the_api_lacks_are_applied_locally(crescendo, connect, people):
    cursor = connect().cursor()
    cursor.execute("SELECT line_uid FROM members WHERE name = 'n3'")
    assert cursor.fetchall() == [("U3",)]
    assert _member_queries(crescendo) == [{}]


def test_members_is_read_only(connect):
    with pytest.raises(Exception, match="read-only"):
        connect().cursor().execute("INSERT INTO members (line_uid) VALUES ('U9')")
