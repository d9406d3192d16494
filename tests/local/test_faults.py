"""Limits and fault plans of the kit, with a backend's own limits."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cdpdb.local.faults import FaultPlan, ServerLimits


@dataclass
class BackendLimits(ServerLimits):
    page_bytes: int = 1000
    batch_rows: int | None = None
    wait_seconds: float = 5.0


def test_a_backends_limits_are_checked_and_reset_as_its_own():
    plan = FaultPlan(limits=BackendLimits())
    plan.set_limits(page_bytes=10, batch_rows=None, wait_seconds=1, latency_ms=2)
    assert (plan.limits.page_bytes, plan.limits.wait_seconds, plan.limits.latency_ms) == (10, 1, 2)
    for bad in ({"page_bytes": 1.5}, {"page_bytes": None}, {"wait_seconds": True}, {"batch_rows": -1}, {"nope": 1}):
        with pytest.raises(ValueError):
            plan.set_limits(**bad)
    plan.clear()
    assert plan.limits == BackendLimits()
