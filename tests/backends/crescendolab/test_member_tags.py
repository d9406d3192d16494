"""Tag filters on members: a list-membership predicate is sent as ``all_tag`` when that is safe
(AND-ed, nameable in a comma-separated list), else applied locally; the rows are the same either
way. The local server's request log proves what was sent."""

from __future__ import annotations

import pytest

from .conftest import call

TAGS = {
    "U0": ["vip", "gold"],
    "U1": ["vip"],
    "U2": [],
    "U3": ["gold"],
    "U4": ["vip", "gold", "new"],
    "U5": ["a,b"],
    "U6": ["a", "b"],
    "U7": ["new"],
}


def _member_queries(server) -> list[dict[str, str]]:
    return [q for method, path, q in server.requests if method == "GET" and path == "/openapi/v1/member/"]


def _carrying(*tags: str) -> list[str]:
    return sorted(uid for uid, have in TAGS.items() if set(tags) <= set(have))


@pytest.fixture
def people(crescendo):
    for uid, tags in TAGS.items():
        crescendo.contacts.add(line_uid=uid, display_name=f"n{uid}", tags=tags)


def _uids(connect, where: str, parameters=None) -> list[str]:
    cursor = connect().cursor()
    cursor.execute(f"SELECT line_uid FROM members WHERE {where} ORDER BY line_uid", parameters)
    return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize(
    ("where", "all_tag", "tags"),
    [
        ("list_contains(tags, 'vip')", "vip", ("vip",)),
        ("'gold' = ANY(tags)", "gold", ("gold",)),
        ("list_contains(tags, 'vip') AND array_contains(tags, 'gold')", "vip,gold", ("vip", "gold")),
        ("tags @> ['vip', 'new']", "vip,new", ("vip", "new")),
    ],
)
def test_tags_anded_are_sent_as_one_all_tag(crescendo, connect, people, where, all_tag, tags):
    assert _uids(connect, where) == _carrying(*tags)
    assert _member_queries(crescendo) == [{"all_tag": all_tag}]


def test_all_tag_goes_with_the_other_filters(crescendo, connect, people):
    assert _uids(connect, "status = 'active' AND list_contains(tags, ?) AND name = 'nU4'", ("new",)) == ["U4"]
    assert _member_queries(crescendo) == [{"all_tag": "new", "status": "active"}]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("list_contains(tags, 'vip') OR list_contains(tags, 'new')", sorted({*_carrying("vip"), *_carrying("new")})),
        ("NOT list_contains(tags, 'vip')", sorted(set(TAGS) - set(_carrying("vip")))),
        ("NOT 'gold' = ANY(tags)", sorted(set(TAGS) - set(_carrying("gold")))),
    ],
)
def test_or_and_not_are_not_sent_and_filtered_locally(crescendo, connect, people, where, expected):
    assert _uids(connect, where) == expected
    assert _member_queries(crescendo) == [{}]


def test_a_tag_name_with_a_comma_is_not_sent_but_still_filtered(crescendo, connect, people):
    assert _uids(connect, "list_contains(tags, 'a,b')") == ["U5"]  # not U6, which has a and b
    assert _member_queries(crescendo) == [{}]
    crescendo.server.requests.clear()
    assert _uids(connect, "list_contains(tags, 'a,b') AND list_contains(tags, 'vip')") == []
    assert _member_queries(crescendo) == [{"all_tag": "vip"}]  # the nameable tag still goes


def test_a_tag_name_with_blanks_at_an_end_is_not_sent(crescendo, connect, people):
    assert _uids(connect, "list_contains(tags, ' vip')") == []
    assert _member_queries(crescendo) == [{}]


def test_pushed_or_not_the_rows_are_the_same(crescendo, connect, people):
    pushed = _uids(connect, "list_contains(tags, 'gold') AND list_contains(tags, 'vip')")
    local = _uids(connect, "list_contains(list_transform(tags, t -> t), 'gold') AND list_contains(tags || [], 'vip')")
    assert pushed == local == _carrying("gold", "vip")
    assert _member_queries(crescendo) == [{"all_tag": "gold,vip"}, {}]


def test_sqlalchemy_any_is_sent_as_all_tag(crescendo, people):
    import sqlalchemy as sa

    url = sa.engine.URL.create(
        "crescendolab", password=crescendo.token, host="127.0.0.1", port=int(crescendo.base_url.rsplit(":", 1)[1])
    )
    engine = sa.create_engine(url, connect_args={"ca_bundle": crescendo.ca_path})
    try:
        members = sa.Table("members", sa.MetaData(), autoload_with=engine)
        has_vip = sa.literal("vip") == sa.any_(members.c.tags)  # 'vip' = ANY (members.tags)
        query = sa.select(members.c.line_uid).where(has_vip).order_by(members.c.line_uid)
        with engine.connect() as connection:
            assert [row[0] for row in connection.execute(query)] == _carrying("vip")
    finally:
        engine.dispose()
    assert _member_queries(crescendo)[-1] == {"all_tag": "vip"}


def test_the_local_server_reads_all_tag_as_every_tag_named(crescendo, people):
    def uids(all_tag: str) -> list[str]:
        answer = call(crescendo, "GET", "/openapi/v1/member/", params={"all_tag": all_tag})
        assert answer.status_code == 200
        return sorted(m["line_uid"] for m in answer.json()["results"])

    assert uids("vip,gold") == _carrying("vip", "gold")
    assert uids(" vip , gold ,") == _carrying("vip", "gold")  # names trimmed, empty ones ignored
    assert uids("a,b") == ["U6"]  # two tags, a and b: the separator cannot be escaped
    assert uids("") == sorted(TAGS)  # no tag named: no filter
    assert uids("nobody") == []
