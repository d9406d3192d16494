"""The generated dataset: deterministic by seed and scale, every attribute type in each parent
segment, NULLs, behaviours with times, and the saved segments' rules valid."""

from __future__ import annotations

from cdpdb.backends.treasuredata.local.dataset import generate
from cdpdb.backends.treasuredata.local.dataset.profiles import DUCK_TYPES

TYPES = {"string", "number", "timestamp", "date", "string_array", "number_array", "boolean"}


def test_same_seed_same_values_other_seed_other_values():
    first, again, other = generate(200, seed=1), generate(200, seed=1), generate(200, seed=2)
    for (a, tables_a), (b, tables_b), (_, tables_c) in zip(first.parents, again.parents, other.parents, strict=True):
        assert a.attributes == b.attributes
        for x, y, z in zip(tables_a, tables_b, tables_c, strict=True):
            assert x.data.equals(y.data)
            assert not x.data.equals(z.data)


def test_scale():
    small, large = generate(100), generate(3000)
    assert [t[0].data.num_rows for _, t in small.parents] == [100, 20]
    assert [t[0].data.num_rows for _, t in large.parents] == [3000, 300]
    purchases = large.parents[0][1][1]
    assert purchases.name == "behavior_purchases" and 2 * 3000 < purchases.data.num_rows < 3 * 3000


def test_every_type_and_nulls_in_each_parent_segment():
    data = generate(500)
    for parent, tables in data.parents:
        assert 15 <= len(parent.attributes) <= 25
        assert {a.type for a in parent.attributes} == TYPES
        customers = tables[0].data
        assert customers.column_names == ["cdp_customer_id", *(a.name for a in parent.attributes)]
        assert sum(customers.column(a.name).null_count > 0 for a in parent.attributes) >= 5
        assert customers.column("cdp_customer_id").null_count == 0
        assert 2 <= len(parent.behaviors) <= 3
        for behavior, table in zip(parent.behaviors, tables[1:], strict=True):
            assert table.name == behavior.table
            assert table.data.column_names[:2] == ["cdp_customer_id", "time"]
            assert {kind for _, kind in behavior.columns} <= TYPES
        assert all(part.rsplit(" ", 1)[1] in DUCK_TYPES.values() for part in tables[0].ddl.split(", "))


def test_saved_segments_and_folders():
    data = generate(100)
    segments = [s for seeds in data.segments.values() for s in seeds]
    assert 6 <= len(segments) <= 10
    assert all(s.rule is not None and s.rule.conditions for s in segments)
    assert {f.audience_id for f in data.folders} == {"300001", "300002"}
    assert all(f.parent_id is None or any(p.id == f.parent_id for p in data.folders) for f in data.folders)
