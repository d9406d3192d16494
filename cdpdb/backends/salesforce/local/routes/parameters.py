"""JSON schemas of the typed bind parameters V3 and Connect requests carry."""

from __future__ import annotations

from typing import Any

PARAMETER: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "name": {"type": "string"},
        "type": {
            "type": "string",
            "enum": ["varchar", "bigint", "numeric", "double", "boolean", "date", "timestamptz"],
        },
        "value": {},
    },
}
