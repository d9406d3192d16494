"""The HTTP status → PEP 249 exception ladder the API backends share.

Every API backend's error mapper reads its vendor's error body into one line (and, where the
vendor has one, a code), then climbs the same ladder: a refused login, a rate limit, a server
failure, a refused request, nothing found. What differs is data, handed in: the fix a refused
login needs, which server failures a retry may cure, which refusals are the data's fault. A
status a backend gives its own meaning (a 409 "busy") is mapped by the backend before the ladder.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from cdpdb.exceptions import DataError, Error, InternalError, OperationalError, ProgrammingError

UNAUTHORISED = (401, 403)
RATE_LIMITED = 429
TRANSIENT = frozenset({502, 503, 504})  # the gateway's failures: the service did not do the work


def status_error(
    status: int,
    detail: str,
    *,
    what: str,
    login_fix: str,
    attempts: int = 1,
    rate_fix: str = "",
    retryable_statuses: Collection[int] | None = None,
    data_statuses: Collection[int] = (),
    not_found_sqlstate: str | None = None,
    code: str | None = None,
    unauthorised: bool = False,
    request_id: str | None = None,
    query_id: str | None = None,
) -> Error:
    """The error of an answer with ``status`` whose body says ``detail``.

    ``login_fix``: what to check when the login is refused (401, 403, or ``unauthorised``: a code
    that means it at another status). ``rate_fix``: what to change on a 429. ``retryable_statuses``:
    the 5xx a retry may cure (None: every one). ``data_statuses``: the 4xx that refuse the data
    (DataError ``reason="refused"``). ``not_found_sqlstate``: a 404 is "found nothing" with this
    SQLSTATE (None: a refusal like any other). ``code``: the vendor's error code, which becomes the
    ``reason`` where given; ``request_id`` and ``query_id`` go into the error as they are."""
    data: dict[str, Any] = {"status": status, "request_id": request_id, "query_id": query_id}
    tried = f" after {attempts} attempts" if attempts > 1 else ""
    if status in UNAUTHORISED or unauthorised:
        return OperationalError(
            f"{what} was not authorised (HTTP {status}): {detail}; {login_fix}", reason=code or "unauthorised", **data
        )
    if status == RATE_LIMITED:
        fix = f"; {rate_fix}" if rate_fix else ""
        return OperationalError(
            f"{what} was rate-limited (HTTP 429){tried}: {detail}{fix}",
            retryable=True,
            reason=code or "rate_limited",
            **data,
        )
    if status >= 500:
        retryable = retryable_statuses is None or status in retryable_statuses
        return InternalError(
            f"{what} failed on the server (HTTP {status}){tried}: {detail}", retryable=retryable, reason=code, **data
        )
    if status in data_statuses:
        return DataError(f"{what} was refused (HTTP {status}): {detail}", reason=code or "refused", **data)
    if status == 404 and not_found_sqlstate is not None:
        return ProgrammingError(
            f"{what} found nothing (HTTP 404): {detail}", sqlstate=not_found_sqlstate, reason=code, **data
        )
    return ProgrammingError(f"{what} was refused (HTTP {status}): {detail}", reason=code, **data)
