"""Finding a backend's emulator: the package that holds the hooks its ``cdpdb.local`` entry point
names (``cdpdb/backends/<name>/local/``), imported on first use, so that the kit never imports a
backend and a program that never runs an emulator never loads one."""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from types import ModuleType

GROUP = "cdpdb.local"


def emulator(backend: str) -> ModuleType:
    """The emulator package of ``backend``; ``ImportError`` when none is installed."""
    for entry in entry_points(group=GROUP, name=backend):
        return import_module(entry.module.rpartition(".")[0])
    raise ImportError(f"no local emulator of the {backend!r} backend is installed", name=backend)


def default_emulator() -> ModuleType:
    """The emulator of the backend ``cdpdb.connect()`` opens when given no ``backend=``; its name
    has one home, the backend contract, the one part of ``cdpdb.backends`` the kit may import."""
    from cdpdb.backends.base import DEFAULT_BACKEND

    return emulator(DEFAULT_BACKEND)
