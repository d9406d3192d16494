"""Merge policies as the local Adobe applies them: which fragment's value a profile shows.

``timestampOrdered``: the most recently updated fragment wins, field by field; ``dataSetPrecedence``:
the datasets in ``attributeMerge.order`` win in that order (datasets not listed lose to all listed).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.dataset import Fragment


def deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def ordered(fragments: Sequence[Fragment], policy: Mapping[str, Any]) -> list[Fragment]:
    """The fragments from the least to the most preferred (later ones overwrite earlier ones)."""
    merge = policy.get("attributeMerge") or {}
    if merge.get("type") == wire.MERGE_DATASET_PRECEDENCE:
        order = list(merge.get("order") or [])
        rank = {dataset: len(order) - i for i, dataset in enumerate(order)}  # first listed: highest
        return sorted(fragments, key=lambda f: (rank.get(f.dataset_id, 0), f.timestamp))
    return sorted(fragments, key=lambda f: f.timestamp)


def merged(fragments: Sequence[Fragment], policy: Mapping[str, Any]) -> dict[str, Any]:
    entity: dict[str, Any] = {}
    for fragment in ordered(fragments, policy):
        deep_merge(entity, fragment.attributes)
    return entity


def select_fields(entity: Mapping[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """Only the subtrees named by dotted ``paths`` (what ``fields`` asks for)."""
    out: dict[str, Any] = {}
    for path in paths:
        parts = [p for p in path.strip().split(".") if p]
        node: Any = entity
        for part in parts:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is None or not parts:
            continue
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = copy.deepcopy(node)
    return out
