"""Folders and saved segments with real rules; their populations are computed by the engine when
the store loads them (never written here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdpdb.backends.treasuredata import rules
from cdpdb.backends.treasuredata.local.dataset.common import ADMIN, MARKETER, days_ago
from cdpdb.backends.treasuredata.local.model import Folder, ParentSegment


def value(name: str, op: str, *, right: Any = None, rights: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A Value condition in the API's JSON (``extra``: not, exclude, arrayMatching, minValue, maxValue)."""
    operator: dict[str, Any] = {"type": op, "not": extra.pop("not_", False)}
    if right is not None:
        operator["rightValue"] = right
    if rights is not None:
        operator["rightValues"] = rights
    for key in ("minValue", "maxValue"):
        if key in extra:
            operator[key] = extra.pop(key)
    return {
        "type": "Value",
        "leftValue": {"name": name} if isinstance(name, str) else name,
        "operator": operator,
        "exclude": extra.pop("exclude", False),
        "arrayMatching": extra.pop("arrayMatching", None),
        "limit": None,
    }


def rule(kind: str, *conditions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A rule whose conditions sit in one condition set, as TD's UI saves them."""
    inner: dict[str, Any] = {"type": "And", "conditions": list(conditions)}
    if kind == "Composite":
        inner = {"type": "Composite", "conditions": list(conditions), "expr": extra.pop("expr")}
    elif kind == "Or":
        inner["type"] = "Or"
    return {"type": "And", "conditions": [inner], **extra}


@dataclass(frozen=True)
class SegmentSeed:
    id: str
    name: str
    description: str
    folder: str  # the folder's name
    rule: rules.Rule | None


def folders(parents: list[ParentSegment]) -> list[Folder]:
    out: list[Folder] = []
    next_id = 800_001
    for parent in parents:
        root = Folder(str(next_id), parent.id, parent.name, None, days_ago(700), ADMIN, "Root folder")
        parent.folder_id = root.id
        out.append(root)
        for i, name in enumerate(("Marketing", "Lifecycle")):
            out.append(Folder(str(next_id + i + 1), parent.id, name, root.id, days_ago(600 - 50 * i), MARKETER))
        next_id += 10
    return out


PURCHASES_LAST_YEAR = {
    "aggregation": {"type": "Count", "groupingColumns": []},
    "source": {"name": "purchases"},
    "filter": {},
    "window": {"type": "TimeSliding", "duration": {"day": 365}},
}
URGENT_TICKETS = {
    "aggregation": {"type": "Count", "groupingColumns": []},
    "source": {"name": "support_tickets"},
    "filter": {
        "type": "And",
        "conditions": [
            {
                "type": "Column",
                "column": "priority",
                "operator": {"type": "In", "not": False, "rightValues": ["high", "urgent"]},
                "arrayMatching": None,
            },
        ],
    },
}


def seeds() -> dict[str, list[SegmentSeed]]:
    """Saved segments by parent segment id (``Customers JP`` 300001, ``B2B Accounts`` 300002)."""
    jp = [
        (
            "1500001",
            "Tokyo VIPs",
            "VIP members in Tokyo",
            "Marketing",
            rule("And", value("prefecture", "Equal", right="Tokyo"), value("is_vip", "Equal", right=True)),
        ),
        (
            "1500002",
            "Lapsed high value",
            "Spent 50,000 JPY or more, no purchase for 180 days",
            "Lifecycle",
            rule(
                "And",
                value("lifetime_value", "GreaterEqual", right=50_000),
                value("last_purchase_at", "Less", right={"last": 180, "unit": "day"}),
            ),
        ),
        (
            "1500003",
            "Gmail users",
            "Email at gmail.com",
            "Marketing",
            rule("And", value("email", "EndWith", rights=["@gmail.com"])),
        ),
        (
            "1500004",
            "Outdoor fans",
            "Interested in outdoor",
            "Marketing",
            rule("And", value("interests", "Equal", right="outdoor", arrayMatching="any")),
        ),
        (
            "1500005",
            "Frequent buyers",
            "Three or more purchases in the last 365 days",
            "Lifecycle",
            rule("And", value(PURCHASES_LAST_YEAR, "GreaterEqual", right=3)),
        ),  # type: ignore[arg-type]
        (
            "1500006",
            "Young or unknown age",
            "18 to 29, or no age given",
            "Marketing",
            rule("Or", value("age", "Between", minValue=18, maxValue=29), value("age", "IsNull")),
        ),
        (
            "1500007",
            "Top 100 opted-in by LTV",
            "The 100 opted-in customers of highest lifetime value",
            "Marketing",
            rule(
                "And",
                value("email_opt_in", "Equal", right=True),
                limit={
                    "type": "Count",
                    "number": 100,
                    "orderColumns": [{"type": "Column", "column": "lifetime_value", "order": "descending"}],
                },
            ),
        ),
        (
            "1500008",
            "Everyone but Tokyo VIPs",
            "Excludes the Tokyo VIPs segment",
            None,
            {
                "type": "And",
                "conditions": [
                    {"type": "And", "conditions": [{"type": "Reference", "id": "1500001", "exclude": True}]}
                ],
            },
        ),
    ]
    b2b = [
        (
            "1500101",
            "Enterprise software and finance",
            "1,000+ employees in Software or Finance",
            "Marketing",
            rule(
                "And",
                value("industry", "In", rights=["Software", "Finance"]),
                value("employees", "Greater", right=1000),
            ),
        ),
        (
            "1500102",
            "At-risk accounts",
            "Low health, and urgent tickets or the at-risk tag",
            "Lifecycle",
            rule(
                "Composite",
                value("health_score", "Less", right=40),
                value(URGENT_TICKETS, "GreaterEqual", right=1),  # type: ignore[arg-type]
                value("tags", "Equal", right="at-risk", arrayMatching="any"),
                expr="1 and (2 or 3)",
            ),
        ),
    ]
    return {
        "300001": [SegmentSeed(i, n, d, f or "", rules.from_json(r)) for i, n, d, f, r in jp],
        "300002": [SegmentSeed(i, n, d, f, rules.from_json(r)) for i, n, d, f, r in b2b],
    }
