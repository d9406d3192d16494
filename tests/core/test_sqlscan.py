"""The placeholder scanner's position bookkeeping (pure functions, no server)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cdpdb.core.sqlscan import original_position, substitute


def rewrite(sql: str, replacement: str) -> tuple[str, list]:
    edits: list = []
    return substitute(sql, "NAMED", lambda m: replacement, edits), edits


def test_positions_before_between_and_after_replacements():
    sql = "SELECT :a, x FROM t WHERE y = :bb"
    out, edits = rewrite(sql, "(1, 2, 3)")
    assert out == "SELECT (1, 2, 3), x FROM t WHERE y = (1, 2, 3)"
    assert original_position(edits, 1) == 1
    assert original_position(edits, out.index("x") + 1) == sql.index("x") + 1
    assert original_position(edits, out.index("(1, 2") + 3) == sql.index(":a") + 1  # inside: the placeholder
    assert original_position(edits, out.rindex("(") + 1) == sql.index(":bb") + 1


def test_nothing_replaced_inside_literals_or_comments():
    sql = "SELECT ':a' -- :b\n, :c"
    out, edits = rewrite(sql, "42")
    assert out == "SELECT ':a' -- :b\n, 42" and len(edits) == 1


@given(st.lists(st.sampled_from(["x", " ", ":p", "'s'", ","]), max_size=30), st.text(min_size=0, max_size=12))
def test_every_unreplaced_character_maps_back_to_itself(parts, replacement):
    sql = "".join(parts)
    out, edits = rewrite(sql, replacement)
    for i, char in enumerate(sql):
        inside = any(start <= i < end for start, end, _ in edits)
        if not inside:
            # find where this original character went: its original position must be recovered
            shift = sum(new - (end - start) for start, end, new in edits if end <= i)
            assert out[i + shift] == char
            assert original_position(edits, i + shift + 1) == i + 1
