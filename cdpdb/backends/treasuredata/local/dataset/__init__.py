"""A deterministic Treasure Data CDP dataset: two parent segments ("Customers JP" with ``scale``
profiles, "B2B Accounts" with a tenth of them), each with 15-25 attributes of every type (with
NULLs), two behaviours with event times, folders and saved segments with real rules; the store
adds the small lists (activations, funnels, tokens, journeys, predictive segments) once it has
computed the segments' populations.

One seed and one scale fix every value. Families draw from one generator in a fixed order, so
adding a family at the end keeps every value.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdpdb.backends.treasuredata.local.dataset.accounts import b2b_accounts
from cdpdb.backends.treasuredata.local.dataset.common import ANCHOR, Table, Values
from cdpdb.backends.treasuredata.local.dataset.customers import customers_jp
from cdpdb.backends.treasuredata.local.dataset.segments import SegmentSeed, folders, seeds
from cdpdb.backends.treasuredata.local.model import Folder, ParentSegment

__all__ = ["ANCHOR", "Dataset", "generate"]


@dataclass
class Dataset:
    parents: list[tuple[ParentSegment, list[Table]]]
    folders: list[Folder]
    segments: dict[str, list[SegmentSeed]]  # by parent segment id
    seed: int


def generate(scale: int = 1000, seed: int = 42) -> Dataset:
    g = Values(seed)
    n = max(int(scale), 20)
    parents = [customers_jp(g, n), b2b_accounts(g, max(n // 10, 20))]
    return Dataset(parents, folders([p for p, _ in parents]), seeds(), seed)
