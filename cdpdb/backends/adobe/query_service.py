"""Query Service already speaks the PostgreSQL wire protocol: cdpdb does not wrap it, it hands
PostgreSQL tools what they need. :func:`query_service_url` asks Platform for the interactive
credentials (``GET /data/foundation/query/connection_parameters``) and returns a SQLAlchemy
``postgresql+psycopg://`` URL plus psycopg connection arguments.

Caveats (docs/adobe.md): the password is an IMS token that expires (about 24 h; create
non-expiring credentials in the Platform UI for long-lived tools); TLS is used although the port
is 80, and since Adobe's 2024 certificate rotation some clients must trust DigiCert Global Root
G2 (``sslrootcert=``); libpq ≥ 12 first tries GSS encryption, which Query Service does not
speak, so ``gssencmode=disable`` is set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.client import PlatformApi
from cdpdb.backends.adobe.settings import Settings
from cdpdb.exceptions import OperationalError


@dataclass(frozen=True)
class QueryServiceConnection:
    """What a PostgreSQL client needs; ``url`` is a SQLAlchemy URL string (password inside, so
    neither ``repr`` nor ``str`` shows it), ``connect_args`` psycopg's keyword arguments."""

    url: str = field(repr=False)
    connect_args: dict[str, Any]
    host: str
    port: int
    database: str
    username: str
    expires_at: float | None  # time.time() when the password stops working (None: unknown / non-expiring)

    def __str__(self) -> str:
        return f"{wire.QUERY_SERVICE_DRIVER}://{self.username}:***@{self.host}:{self.port}/{self.database}"

    def psycopg_kwargs(self, password: str | None = None) -> dict[str, Any]:
        """Arguments for ``psycopg.connect(**...)`` without SQLAlchemy (the password from the URL)."""
        secret = password if password is not None else _password_of(self.url)
        return {
            "host": self.host,
            "port": self.port,
            "dbname": self.database,
            "user": self.username,
            "password": secret,
            **self.connect_args,
        }


def _password_of(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).password or "")


def query_service_url(
    *, database: str | None = None, sslrootcert: str | None = None, sslmode: str = "require", **settings: Any
) -> QueryServiceConnection:
    """The Query Service connection of the organisation and sandbox of ``settings`` (the same
    arguments as ``cdpdb.connect(backend="adobe", ...)``). ``database`` overrides the answer's
    ``dbName`` (``<sandbox>:all`` by default); ``sslrootcert`` names a CA file to trust (e.g. the
    DigiCert Global Root G2 PEM), which also turns ``sslmode`` to ``verify-full``."""
    parsed = Settings.from_arguments(settings)
    api = PlatformApi(parsed)
    try:
        body = api.get(
            api.url(wire.QUERY_CONNECTION_PARAMETERS),
            sandbox=parsed.sandbox,
            what="reading Query Service connection parameters",
        )
    finally:
        api.close()
    params = (body or {}).get("connectionParameters") if isinstance(body, dict) else None
    if not isinstance(params, dict) or not params.get("host") or not params.get("password"):
        raise OperationalError(
            "Query Service answered without connectionParameters (host, password)", reason="bad_connection_parameters"
        )
    host, port = str(params["host"]), int(params.get("port") or wire.QUERY_SERVICE_PORT)
    dbname = database or str(params.get("dbName") or body.get("dbName") or f"{parsed.sandbox}:all")
    user = str(params.get("username") or parsed.org_id)
    connect_args: dict[str, Any] = {"sslmode": "verify-full" if sslrootcert else sslmode, "gssencmode": "disable"}
    if sslrootcert:
        connect_args["sslrootcert"] = sslrootcert
    lifetime = body.get("expiresIn") if isinstance(body, dict) else None
    url = (
        f"{wire.QUERY_SERVICE_DRIVER}://{quote(user, safe='')}:{quote(str(params['password']), safe='')}"
        f"@{host}:{port}/{quote(dbname, safe='')}"
    )
    expires = time.time() + float(lifetime) if isinstance(lifetime, (int, float)) else None
    return QueryServiceConnection(url, connect_args, host, port, dbname, user, expires)
