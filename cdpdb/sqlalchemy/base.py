"""What every cdpdb dialect shares: the cdpdb driver, secret-free engine URLs, autocommit-only
semantics (CDP query APIs have no transactions), pings, and disconnects read from error data."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import exc as sa_exc

from cdpdb.sqlalchemy.compat import SQLALCHEMY_2, DefaultDialect
from cdpdb.sqlalchemy.url import masked


class ReadOnlyDialect(DefaultDialect):
    """Base of the cdpdb dialects. ``secrets``: the URL query parameters never to show."""

    driver = "cdpdb"
    secrets: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def import_dbapi(cls) -> Any:
        import cdpdb

        return cdpdb

    @classmethod
    def engine_created(cls, engine: Any) -> None:
        engine.url = masked(engine.url, cls.secrets)  # repr(engine) and str(engine.url) show no secret

    def on_connect(self) -> None:
        return None

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        return (1, 0)

    def get_default_isolation_level(self, dbapi_conn: Any) -> str:
        return "AUTOCOMMIT"

    def get_isolation_level(self, dbapi_connection: Any) -> str:
        return "AUTOCOMMIT"

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        if level != "AUTOCOMMIT":
            raise sa_exc.ArgumentError("this CDP is read-only and has no transactions: only AUTOCOMMIT")

    def do_begin(self, dbapi_connection: Any) -> None:
        pass

    def do_commit(self, dbapi_connection: Any) -> None:
        pass

    def do_rollback(self, dbapi_connection: Any) -> None:
        pass  # nothing to roll back; pools call this on every check-in

    def do_ping(self, dbapi_connection: Any) -> bool:
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
                cursor.fetchall()
            finally:
                cursor.close()
        except self.dbapi.Error as exc:
            if not SQLALCHEMY_2 and self.is_disconnect(exc, dbapi_connection, None):
                return False  # 1.4's pool reads a dead connection from False; 2.x's from the error
            raise
        return True

    def is_disconnect(self, e: Any, connection: Any, cursor: Any) -> bool:
        """The driver's errors say whether the connection is gone (``disconnect``, or closed)."""
        return bool(getattr(e, "disconnect", False) or getattr(e, "reason", None) in ("closed", "unreachable"))
