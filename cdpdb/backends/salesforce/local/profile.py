"""The Profile and Calculated Insights APIs' request grammar: ``filters=[Field__c=value,...]``.

Salesforce documents the bracketed, comma-separated equality list but no escaping (UNCONFIRMED).
The local Data Cloud accepts bare values (no comma, bracket or leading quote) and double-quoted
values in which ``\\"`` and ``\\\\`` stand for a quote and a backslash, so any text can be sent.
"""

from __future__ import annotations

import re

_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class FilterSyntaxError(ValueError):
    pass


def parse_filters(text: str) -> list[tuple[str, str]]:
    """``[A__c=1,B__c="x, y"]`` → ``[("A__c", "1"), ("B__c", "x, y")]``."""
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")):
        raise FilterSyntaxError("filters must look like [Field__c=value,Other__c=value]")
    body, pos, out = text[1:-1], 0, []
    while pos < len(body):
        match = _FIELD.match(body, pos)
        if not match or match.end() >= len(body) or body[match.end()] != "=":
            raise FilterSyntaxError(f"expected Field__c=value at character {pos + 2} of filters")
        field, pos = match.group(0), match.end() + 1
        if body[pos : pos + 1] == '"':
            value, pos = _quoted(body, pos + 1)
        else:
            end = body.find(",", pos)
            end = len(body) if end < 0 else end
            value, pos = body[pos:end], end
        out.append((field, value))
        if pos < len(body):
            if body[pos] != ",":
                raise FilterSyntaxError(f"expected ',' at character {pos + 2} of filters")
            pos += 1
            if pos == len(body):
                raise FilterSyntaxError("filters end with a comma")
    if not out:
        raise FilterSyntaxError("filters must name at least one Field__c=value")
    return out


def _quoted(body: str, pos: int) -> tuple[str, int]:
    chars = []
    while pos < len(body):
        char = body[pos]
        if char == "\\" and pos + 1 < len(body) and body[pos + 1] in '"\\':
            chars.append(body[pos + 1])
            pos += 2
        elif char == '"':
            return "".join(chars), pos + 1
        else:
            chars.append(char)
            pos += 1
    raise FilterSyntaxError("a quoted filter value is not closed")


def names(text: str | None) -> list[str] | None:
    """A comma list of field names (``fields``, ``dimensions``, ``measures``)."""
    if text is None or not text.strip():
        return None
    items = [item.strip() for item in text.split(",")]
    for item in items:
        if not _FIELD.fullmatch(item):
            raise FilterSyntaxError(f"{item!r} is not a field name")
    return items
