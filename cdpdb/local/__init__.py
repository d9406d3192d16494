"""The emulator kit: what every backend's local emulator is built from, and knows no vendor.

HTTP listeners with TLS (:mod:`~cdpdb.local.server`), faults and limits
(:mod:`~cdpdb.local.faults`), the Hyper engine (:mod:`~cdpdb.local.engine`), queries run on it
(:mod:`~cdpdb.local.runner`) and their results (:mod:`~cdpdb.local.results`), users' tables
(:mod:`~cdpdb.local.tables`), and the route table that gives an emulator both its routes and its
OpenAPI description (:mod:`~cdpdb.local.routetable`). Each backend's emulator lives in its own
folder (``cdpdb/backends/<name>/local/``) and is found through the ``cdpdb.local`` entry points.

``serve``, ``LocalDataCloud`` and ``Limits`` are still importable from here, as they were before
the kit existed: they are the default backend's emulator, loaded on first use.

>>> from cdpdb.local import serve
>>> with serve(scale=1000) as cloud:
...     print(cloud.login_url, cloud.credentials.username)
"""

from __future__ import annotations

from typing import Any

from cdpdb.local.emulators import default_emulator
from cdpdb.local.faults import Fault, FaultPlan

#: Names of the default backend's emulator that old code imports from ``cdpdb.local``.
_DEFAULT_EMULATOR_NAMES = ("Limits", "LocalDataCloud", "serve")

__all__ = ["Fault", "FaultPlan", *_DEFAULT_EMULATOR_NAMES]


def __getattr__(name: str) -> Any:
    if name in _DEFAULT_EMULATOR_NAMES:
        return getattr(default_emulator(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
