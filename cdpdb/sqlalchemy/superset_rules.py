"""The decisions of cdpdb's Superset engine specs, as data and pure functions (no Superset needed):
what Superset should call a cdpdb error, and how a date-time literal is written.

Superset shows a database error by its ``SupersetErrorType`` (the UI picks a title, a help text
and the form field to highlight from it). cdpdb errors carry what happened as data — the PEP 249
class, ``sqlstate``, ``reason`` — so the type is chosen from those, never from message text.
This module holds that choice as plain data and pure functions (testable without Superset);
``superset_base.py`` applies it inside the engine spec.

Superset does not always hand the spec the exception object: "Test connection" and SQL Lab pass
only text (see ``superset_base.py``). For SQL Lab the spec writes the error's code into the text
itself (:func:`tagged_message`) and reads it back (:func:`code_in`), so the decision still rests on
data. "Test connection" turns the driver's exception into ``str`` before the spec sees it;
only there does :data:`TEXT_FALLBACK` match words of cdpdb's own messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from cdpdb.exceptions import Error

# SupersetErrorType member names (strings, so that this module needs no Superset).
ACCESS_DENIED = "CONNECTION_ACCESS_DENIED_ERROR"
MISSING_PARAMETERS = "CONNECTION_MISSING_PARAMETERS_ERROR"
INVALID_HOSTNAME = "CONNECTION_INVALID_HOSTNAME_ERROR"
HOST_DOWN = "CONNECTION_HOST_DOWN_ERROR"
TIMEOUT = "CONNECTION_DATABASE_TIMEOUT"
TABLE_MISSING = "TABLE_DOES_NOT_EXIST_ERROR"
COLUMN_MISSING = "COLUMN_DOES_NOT_EXIST_ERROR"
SCHEMA_MISSING = "SCHEMA_DOES_NOT_EXIST_ERROR"
SYNTAX = "SYNTAX_ERROR"
PERMISSIONS = "CONNECTION_DATABASE_PERMISSIONS_ERROR"

#: ``Error.reason`` (the driver's code for the failure's kind) → Superset error type.
#: A TLS failure has no Superset type of its own; the usual fix is a parameter the URL lacks
#: (``ca_bundle``), so it is reported as a missing parameter, with a message naming it.
BY_REASON: dict[str, str] = {
    "unauthorised": ACCESS_DENIED,
    "html_answer": ACCESS_DENIED,  # the token exchange refused the login (scopes, Data Cloud not enabled)
    # the refused logins Data Cloud's login errors tell apart (docs/real-org.md: the fix for each)
    "invalid_grant": ACCESS_DENIED,
    "invalid_client": ACCESS_DENIED,
    "missing_scope": ACCESS_DENIED,
    "no_data_cloud": ACCESS_DENIED,
    "no_data_cloud_permission": ACCESS_DENIED,
    "password_flow_blocked": ACCESS_DENIED,
    "sf_session_expired": ACCESS_DENIED,
    "my_domain_required": INVALID_HOSTNAME,  # client credentials need the org's My Domain, not login.salesforce.com
    "tls": MISSING_PARAMETERS,
    "unknown_host": INVALID_HOSTNAME,
    "unreachable": HOST_DOWN,
    "timeout": TIMEOUT,
    "deadline": TIMEOUT,
}

#: ``Error.sqlstate`` (PostgreSQL's codes, which Hyper and DuckDB use) → Superset error type.
BY_SQLSTATE: dict[str, str] = {
    "42P01": TABLE_MISSING,  # undefined_table
    "42703": COLUMN_MISSING,  # undefined_column
    "3F000": SCHEMA_MISSING,  # invalid_schema_name
    "42601": SYNTAX,  # syntax_error
    "42501": PERMISSIONS,  # insufficient_privilege (e.g. a table outside the dataspace)
    "28000": ACCESS_DENIED,  # invalid_authorization_specification
    "28P01": ACCESS_DENIED,  # invalid_password
}

#: What the user reads for each type; ``%(engine)s`` is the engine's name, ``%(detail)s`` the
#: driver's own message (which names the cause and the fix).
MESSAGES: dict[str, str] = {
    ACCESS_DENIED: "%(engine)s refused the login: check the user, password, client_id and the "
    "client secret (CDPDB_CLIENT_SECRET). %(detail)s",
    MISSING_PARAMETERS: "The TLS certificate of the %(engine)s host could not be verified: add "
    "ca_bundle=/path/to/ca.pem to the URL for a private CA. %(detail)s",
    INVALID_HOSTNAME: "The host in the URL cannot be found. %(detail)s",
    HOST_DOWN: "%(engine)s cannot be reached at the URL's host and port. %(detail)s",
    TIMEOUT: "%(engine)s did not answer in time. %(detail)s",
    TABLE_MISSING: "A table the query names does not exist in this dataspace. %(detail)s",
    COLUMN_MISSING: "A column the query names does not exist. %(detail)s",
    SCHEMA_MISSING: "The dataspace does not exist or this login cannot see it. %(detail)s",
    SYNTAX: "The query has a syntax error. %(detail)s",
    PERMISSIONS: "The query reads something this connection may not read. %(detail)s",
}

#: Only for "Test connection", where Superset hands the spec ``str(exception)``: words of
#: cdpdb's own messages (cdpdb/core/http.py, the backends' errors.py). Keep in step with them;
#: tests/e2e exercises this path through Superset itself.
TEXT_FALLBACK: dict[re.Pattern[str], str] = {
    re.compile(r"\blogin\b.*\b(was refused|was not authorised)\b"): ACCESS_DENIED,
    re.compile(r"\bthe TLS certificate of\b"): MISSING_PARAMETERS,
    re.compile(r"\bthe host \S+ cannot be found\b"): INVALID_HOSTNAME,
    re.compile(r"\bcannot reach \S+"): HOST_DOWN,
}

_CODE = re.compile(r"\[cdpdb:(?P<code>[0-9A-Z]{5}|[a-z_]+)\]")
_SQLSTATE_IN_TEXT = re.compile(r"\(SQLSTATE (?P<code>[0-9A-Z]{5})\)")


def driver_error(exc: BaseException | None) -> Error | None:
    """The cdpdb error behind ``exc``: itself, SQLAlchemy's ``orig``, or a cause in its chain."""
    for candidate in _chain(exc):
        if isinstance(candidate, Error):
            return candidate
    return None


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend([current.__context__, current.__cause__, getattr(current, "orig", None)])


def error_code(error: Error) -> str | None:
    """The error's code for Superset: its SQLSTATE when the server gave one, else its reason."""
    return error.sqlstate or error.reason


def error_type(code: str | None) -> str | None:
    """The Superset error type of a code from :func:`error_code`, or ``None`` (generic)."""
    if code is None:
        return None
    return BY_SQLSTATE.get(code) or BY_REASON.get(code)


def tagged_message(error: Error) -> str:
    """The driver's message with its code in front, for the paths where Superset keeps only text."""
    code = error_code(error)
    return f"[cdpdb:{code}] {error.message}" if code else error.message


def code_in(text: str) -> str | None:
    """The code :func:`tagged_message` wrote, or the SQLSTATE the server put in its message."""
    match = _CODE.search(text) or _SQLSTATE_IN_TEXT.search(text)
    return match.group("code") if match else None


def type_from_text(text: str) -> str | None:
    """The error type for text alone: a code written into it, else :data:`TEXT_FALLBACK`."""
    found = error_type(code_in(text))
    if found:
        return found
    return next((kind for pattern, kind in TEXT_FALLBACK.items() if pattern.search(text)), None)


_DRIVER_MESSAGE = re.compile(r"\(cdpdb\.exceptions\.\w+\) (?P<message>[^\n]*)|\[cdpdb:\w+\] (?P<tagged>.*)", re.S)


def driver_message(text: str) -> str:
    """The driver's own message inside a text-only error, for display: in SQLAlchemy's rendering
    (``(cdpdb.exceptions.X) message [SQL: ...]``) or after the code :func:`tagged_message` wrote;
    the whole text when there is neither."""
    match = _DRIVER_MESSAGE.search(text)
    if not match:
        return text
    return match.group("message") or match.group("tagged")


def dttm_literal(type_name: str, dttm: datetime) -> str | None:
    """A SQL literal of ``dttm`` for a column of type ``type_name`` (as Superset shows it, e.g.
    ``TIMESTAMP WITH TIME ZONE``, ``DATE``), in the PostgreSQL spelling Hyper and DuckDB both
    read; ``None`` for a type that is no date or time (Superset then binds the value as text)."""
    name = type_name.upper()
    if "TIMESTAMP" in name or "DATETIME" in name:
        zoned = ("TIME ZONE" in name and "WITHOUT" not in name) or name.startswith("TIMESTAMPTZ")
        text = dttm.isoformat(sep=" ", timespec="microseconds")
        return f"TIMESTAMPTZ '{text}'" if zoned and dttm.tzinfo else f"TIMESTAMP '{text[:26]}'"
    if name.startswith("DATE"):
        return f"DATE '{dttm.date().isoformat()}'"
    return None


#: Time grains of the API backends' shared SQL layer (cdpdb/core/sqlapi: DuckDB evaluates what
#: the API cannot): PostgreSQL's ``date_trunc``, which DuckDB runs.
SQLAPI_TIME_GRAINS: dict[str | None, str] = {
    None: "{col}",
    "PT1S": "DATE_TRUNC('second', {col})",
    "PT1M": "DATE_TRUNC('minute', {col})",
    "PT1H": "DATE_TRUNC('hour', {col})",
    "P1D": "DATE_TRUNC('day', {col})",
    "P1W": "DATE_TRUNC('week', {col})",
    "P1M": "DATE_TRUNC('month', {col})",
    "P3M": "DATE_TRUNC('quarter', {col})",
    "P1Y": "DATE_TRUNC('year', {col})",
}
