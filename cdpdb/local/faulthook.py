"""The admin hook every emulator offers for faults and limits (``GET/POST/DELETE …/faults``): its
request body's schema and what a request does to the fault plan. The route itself (path, admin
key, error shape) is the backend's."""

from __future__ import annotations

from typing import Any

from cdpdb.local.faults import FAULT_KINDS, Fault, FaultPlan

FAULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": list(FAULT_KINDS)},
        "count": {"type": "integer", "minimum": -1},
        "path": {"type": "string"},
        "method": {"type": "string", "nullable": True},
        "skip": {"type": "integer", "minimum": 0},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "retry_after": {"type": "number", "minimum": 0, "nullable": True},
        "seconds": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "additionalProperties": False,
}


def faults_body(limits_schema: dict[str, Any]) -> dict[str, Any]:
    """The POST body: ``{"limits": {...}, "faults": [...]}`` with the backend's limits."""
    return {
        "type": "object",
        "properties": {"limits": limits_schema, "faults": {"type": "array", "items": FAULT_SCHEMA}},
    }


class BadFaults(ValueError):
    """A faults request the plan cannot take (the backend answers 400 with this text)."""


def change_faults(plan: FaultPlan, method: str, body: dict[str, Any] | None) -> dict[str, Any]:
    """DELETE clears, POST adds faults and changes limits (all or nothing), GET changes nothing;
    the plan as it now is."""
    if method == "DELETE":
        plan.clear()
    elif method == "POST":
        body = body or {}
        limits, items = body.get("limits") or {}, body.get("faults") or []
        if not isinstance(limits, dict) or not isinstance(items, list) or not all(isinstance(f, dict) for f in items):
            raise BadFaults("the body is {'limits': {name: value}, 'faults': [{kind, ...}]}")
        try:
            new = [Fault(**item) for item in items]
            plan.set_limits(**limits)
        except (TypeError, ValueError) as exc:
            raise BadFaults(str(exc)) from None
        for fault in new:
            plan.add(fault)
    return plan.describe()
