"""The backend contract: what the vendor-free ``Connection`` and ``Cursor`` ask of a CDP.

A backend is one folder under ``cdpdb/backends/`` (or any installed package) that provides a
function opening a :class:`Session` from ``connect()``'s keyword arguments, registered under its
name in :data:`BUILTIN` or the ``cdpdb.backends`` entry-point group. The session logs in, runs
queries as streams of Arrow pages (:class:`~cdpdb.core.results.schema.Result`), and says what
it cannot do by raising ``NotSupportedError``. Test hooks of a backend's emulator (writes into
a local CDP, ``cdp://local``) are found through the ``cdpdb.local`` entry-point group, so no
client module imports an emulator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from cdpdb.core.jobs import QueryControl, Status
from cdpdb.core.results.partitions import Partitions
from cdpdb.core.results.schema import Result, TypeTable
from cdpdb.exceptions import InterfaceError, ProgrammingError

DEFAULT_BACKEND = "salesforce"  # what connect() opens when no backend= is given (the first one cdpdb had)
BUILTIN: dict[str, str] = {
    "salesforce": "cdpdb.backends.salesforce.session:open_session",
    "treasuredata": "cdpdb.backends.treasuredata.session:open_session",
    "adobe": "cdpdb.backends.adobe.session:open_session",
    "customerio": "cdpdb.backends.customerio.session:open_session",
    "crescendolab": "cdpdb.backends.crescendolab.session:open_session",
}


class Session(Protocol):
    """A logged-in session with one CDP. Safe to share between threads; one per Connection."""

    @property
    def backend(self) -> str:
        """The backend's name, as registered (named in messages)."""
        ...

    @property
    def types(self) -> TypeTable:
        """How the backend's type names map to Arrow."""
        ...

    @property
    def supports_async(self) -> bool:
        """Whether submit / results / status / cancel by query id work."""
        ...

    @property
    def progress(self) -> bool:
        """Whether fetches show a progress bar."""
        ...

    @property
    def read_only(self) -> str | None:
        """Why writes are refused (a message naming what to use instead), or None if accepted."""
        ...

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        """Run a query until its result can be read; raise ``fetch.Stopped`` once ``control.stop`` is set."""
        ...

    def submit(self, sql: str, parameters: Any) -> str: ...

    def results(self, query_id: str, control: QueryControl) -> Result: ...

    def status(self, query_id: str, wait_ms: int = 0) -> Status: ...

    def cancel(self, query_id: str) -> None: ...

    def write(self, sql: str, parameters: Any) -> int:
        """Run one data-changing statement; the number of rows it changed (-1 if unknown)."""
        ...

    def call(self, procedure: str, parameters: Sequence[Any]) -> tuple[Sequence[Any], Result | None]:
        """Run the named procedure (``cursor.callproc``): the parameters as it left them (PEP 249
        returns them, output parameters filled in) and its result set, or None when it has none.
        A backend without procedures raises ``NotSupportedError`` naming itself."""
        ...

    def catalog_changed(self) -> None:
        """Forget cached catalog answers (after DDL)."""
        ...

    def explain(self, error: ProgrammingError, sql: str) -> ProgrammingError:
        """``error`` with a hint added when the backend can tell how to fix ``sql``."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class BatchWriter(Protocol):
    """Optional: a session that takes every parameter set of an ``executemany`` in one call
    (a sink that batches them into few requests)."""

    def write_many(self, sql: str, parameter_sets: Any) -> int:
        """Run one data-changing statement once per parameter set; the rows it changed in all."""
        ...


def write_many(session: Session, sql: str, parameter_sets: Iterable[Any]) -> int:
    """``executemany``: the session's own ``write_many`` when it has one, else ``write`` once per
    parameter set (the total of the counts it knows)."""
    if isinstance(session, BatchWriter):
        return session.write_many(sql, parameter_sets)
    total = 0
    for parameters in parameter_sets:
        total += max(session.write(sql, parameters), 0)
    return total


class PartitionedSession(Session, Protocol):
    """A session whose API leaves a finished result on the server as numbered chunks, which other
    processes can read by range (a query API that stores results in chunks). An optional capability: a backend without
    it leaves the method out, and ``Cursor.execute_partitions`` says so with NotSupportedError."""

    def execute_partitions(
        self, sql: str, parameters: Any, control: QueryControl, partitions: int | None, **options: Any
    ) -> Partitions:
        """Run the query once, wait until it is done, and split its chunks into ``partitions``
        contiguous ranges (None: one per chunk). Never puts a password or client secret in a partition."""
        ...


SessionOpener = Callable[[Mapping[str, Any]], Session]


def _load(target: str) -> Any:
    module, _, attribute = target.partition(":")
    return getattr(import_module(module), attribute)


def opener(backend: str) -> SessionOpener:
    """The function that opens a session of ``backend`` (built in, or from an entry point)."""
    if backend in BUILTIN:
        return _load(BUILTIN[backend])  # type: ignore[no-any-return]
    found = entry_points(group="cdpdb.backends", name=backend)
    if not found:
        known = sorted({*BUILTIN, *(e.name for e in entry_points(group="cdpdb.backends"))})
        raise InterfaceError(f"no cdpdb backend named {backend!r}; installed: {', '.join(known)}")
    return next(iter(found)).load()  # type: ignore[no-any-return]


def emulator_hook(backend: str, name: str) -> Any:
    """A hook that ``backend``'s local emulator plugs into its client (``cdpdb.local`` entry points):
    ``None`` when no emulator of that backend is installed."""
    for entry in entry_points(group="cdpdb.local", name=backend):
        return getattr(entry.load(), name, None)
    return None
