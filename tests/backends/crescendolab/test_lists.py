"""MAAC's segments, segment members (a CSV per segment) and tags as tables."""

from __future__ import annotations


def _paths(server) -> list[str]:
    return [path for method, path, _ in server.requests if method == "GET"]


def test_segments_and_their_members(crescendo, connect):
    crescendo.faults.set_limits(member_page_rows=1)
    vip = crescendo.contacts.add_segment("VIP", ["U1", "U2"])
    crescendo.contacts.add_segment("New", ["U3"])
    cursor = connect().cursor()
    cursor.execute("SELECT segment_id, name FROM segments ORDER BY segment_id")
    assert cursor.fetchall() == [(str(vip), "VIP"), ("2", "New")]
    crescendo.requests.clear()
    cursor.execute("SELECT line_uid FROM segment_members WHERE segment_id = ? ORDER BY 1", (str(vip),))
    assert cursor.fetchall() == [("U1",), ("U2",)]
    assert _paths(crescendo) == [f"/openapi/v1/segment/{vip}/members/"]  # only that segment was read


def test_segment_members_without_a_segment_reads_every_segment(crescendo, connect):
    crescendo.contacts.add_segment("VIP", ["U1"])
    crescendo.contacts.add_segment("New", ["U3", "U4"])
    cursor = connect().cursor()
    cursor.execute("SELECT segment_id, count(*) FROM segment_members GROUP BY 1 ORDER BY 1")
    assert cursor.fetchall() == [("1", 1), ("2", 2)]


def test_tags(crescendo, connect):
    crescendo.contacts.add(line_uid="U1", tags=["vip", "new"])
    crescendo.contacts.add(line_uid="U2", tags=["vip"])
    cursor = connect().cursor()
    cursor.execute("SELECT name, member_count FROM tags ORDER BY name")
    assert cursor.fetchall() == [("new", 1), ("vip", 2)]
