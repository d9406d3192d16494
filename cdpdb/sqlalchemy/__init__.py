"""The SQLAlchemy layer shared by every backend's dialect.

``cdpdb.sqlalchemy.CDPDialect`` (the Data Cloud dialect) is still importable from here for code
written before backends had folders; it is loaded on first use, so this package never depends
on a backend.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "CDPDialect":
        from importlib import import_module

        return import_module("cdpdb.backends.salesforce.sqlalchemy.dialect").CDPDialect
    raise AttributeError(f"module 'cdpdb.sqlalchemy' has no attribute {name!r}")


__all__ = ["CDPDialect"]
