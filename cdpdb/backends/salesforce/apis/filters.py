"""The ``filters=[Field__c=value,...]`` parameter of the Profile and Calculated Insights APIs.

Every value is sent double-quoted, with ``"`` and ``\\`` escaped by a backslash, so commas,
brackets, quotes and any Unicode arrive exactly as given (the grammar the local Data Cloud
implements; Salesforce documents no escaping). Field names are checked, never escaped. A value's
text comes from the one registry (:mod:`cdpdb.core.adapt`): the same text a query parameter
carries, so an aware datetime is its UTC instant (``2020-01-02 03:04:05+00:00``; Data Cloud keeps
DateTime values in UTC) and a naive one is sent as given.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from cdpdb.backends.salesforce import params
from cdpdb.core import adapt as core
from cdpdb.exceptions import ProgrammingError

_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# A filter value travels as text with no type, and may meet a Text or a Number(38, 18) field: Data
# Cloud's dumpers without the BIGINT and NUMERIC limits of typed parameters (2**70 can equal a
# Number). NUL is refused below, with a message about filters.
ADAPTERS = core.Adapters(
    params.ADAPTERS,
    limits=dataclasses.replace(
        params.LIMITS, bigint=None, numeric_precision=None, numeric_scale=None, nul_in_text=True
    ),
)


def _text(value: Any) -> str:
    """The value's exact text, as a query parameter would carry it (an aware datetime as its UTC
    instant, a float as its shortest repr or ``NaN``/``Infinity``, a Decimal as plain digits)."""
    dumper = ADAPTERS.get_dumper(type(value))
    text = dumper.upgrade(value).text(value) if dumper else None
    if text is None:  # no dumper, or None: the grammar has no NULL
        raise ProgrammingError(f"cannot filter on a value of type {type(value).__name__}")
    return text


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
