"""What the local Data Cloud plugs into the Data Cloud client (entry-point group ``cdpdb.local``):

- ``admin_writer``: writes (DDL, DML) for test fixtures, sent to the local server's admin path,
  used when a connection is given the ``admin_key`` that ``cdpdb serve`` prints;
- ``embedded_connect_args``: the ``connect()`` arguments of a local Data Cloud started in this
  process on first use (SQLAlchemy's ``cdp://local`` URL).

The client finds these by name and never imports the emulator.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable, Mapping
from typing import Any

from cdpdb.backends.salesforce.local.admin import ADMIN_HEADER, ADMIN_PATH
from cdpdb.backends.salesforce.params import ADAPTERS
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.core.http import HttpClient

_lock = threading.Lock()
_clouds: dict[tuple[int, int, bool], Any] = {}


def admin_writer(settings: Settings, http: HttpClient) -> Callable[[str, Any], int]:
    def write(sql: str, parameters: Any) -> int:
        body = {"sql": sql, "parameters": _jsonable(parameters), "dataspace": settings.dataspace}
        answer = http.call(
            "POST",
            f"{settings.login_url}{ADMIN_PATH}",
            json=body,
            headers={ADMIN_HEADER: settings.admin_key},
            what="the write (admin path)",
        )
        return int(answer.get("rowcount", -1))

    return write


def embedded_connect_args(options: Mapping[str, str]) -> dict[str, Any]:
    """``connect()`` arguments for ``cdp://local?scale=..&seed=..&dataset=..&writable=..&<setting>=..``:
    one local Data Cloud per (scale, seed, dataset) in this process, started on first use."""
    options = dict(options)

    def flag(name: str, default: str) -> bool:
        return str(options.pop(name, default)).lower() in ("1", "true", "yes")

    key = (int(options.pop("scale", 10_000)), int(options.pop("seed", 42)), flag("dataset", "true"))
    writable = flag("writable", "false")
    with _lock:
        if key not in _clouds:
            from cdpdb.backends.salesforce.local.cloud import LocalDataCloud

            cloud = LocalDataCloud(scale=key[0], seed=key[1], dataset=key[2])
            atexit.register(cloud.close)
            _clouds[key] = cloud
        cloud = _clouds[key]
    args: dict[str, Any] = cloud.connect_args(**options)
    if writable:  # test fixtures may create tables: writes go to the local admin path
        args["admin_key"] = cloud.admin_key
    return args


def _jsonable(parameters: Any) -> Any:
    """Parameters as JSON for the admin path: each value's JSON form from Data Cloud's registry
    (a Decimal, date or time as its exact text; NaN and infinities as text, which the server casts)."""
    if parameters is None:
        return None
    if isinstance(parameters, Mapping):
        return {k: ADAPTERS.json(v) for k, v in parameters.items()}
    return [ADAPTERS.json(v) for v in parameters]
