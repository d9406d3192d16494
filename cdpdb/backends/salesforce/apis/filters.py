"""The ``filters=[Field__c=value,...]`` parameter of the Profile and Calculated Insights APIs.

Every value is sent double-quoted, with ``"`` and ``\\`` escaped by a backslash, so commas,
brackets, quotes and any Unicode arrive exactly as given (the grammar the local Data Cloud
implements; Salesforce documents no escaping). Field names are checked, never escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cdpdb.exceptions import ProgrammingError

_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise ProgrammingError(f"cannot filter on a value of type {type(value).__name__}")


def encode_filters(filters: Mapping[str, Any]) -> str:
    """``{"FirstName__c": 'Ann, "Jr"'}`` → ``[FirstName__c="Ann, \\"Jr\\""]`` (equality, AND)."""
    if not filters:
        raise ProgrammingError("give at least one filter: {'Field__c': value}")
    parts = []
    for field, value in filters.items():
        if not isinstance(field, str) or not _FIELD.fullmatch(field):
            raise ProgrammingError(f"{field!r} is not a Data Cloud field name")
        text = _text(value)
        if "\x00" in text:
            raise ProgrammingError("filter values cannot contain the NUL character")
        parts.append(f'{field}="' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "[" + ",".join(parts) + "]"
