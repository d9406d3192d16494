"""``cdpdb.adobe.query_service_url``: Query Service's interactive credentials as a SQLAlchemy URL
and psycopg arguments. (There is no PostgreSQL-protocol server in the local Adobe: the URL is
checked by SQLAlchemy's own parser and engine construction, not by a login.)"""

from __future__ import annotations

import sqlalchemy as sa

import cdpdb.adobe
from cdpdb.backends.adobe import wire


def test_url_and_connect_args(adobe):
    conn = cdpdb.adobe.query_service_url(**adobe.connect_args())
    url = sa.engine.make_url(conn.url)
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database, url.username) == (
        conn.host,
        wire.QUERY_SERVICE_PORT,
        "prod:all",
        adobe.org_id,
    )
    assert url.password and url.password == conn.psycopg_kwargs()["password"]
    assert conn.connect_args == {"sslmode": "require", "gssencmode": "disable"}
    assert conn.expires_at is not None
    assert url.password not in str(conn) and url.password not in repr(conn)
    engine = sa.create_engine(conn.url, connect_args=conn.connect_args)
    assert engine.dialect.name == "postgresql" and engine.url.database == "prod:all"
    engine.dispose()
    (call,) = adobe.requests.find("GET", wire.QUERY_CONNECTION_PARAMETERS)
    assert call.sandbox == "prod"


def test_sandbox_database_and_root_certificate(adobe, tmp_path):
    root = tmp_path / "DigiCertGlobalRootG2.pem"
    root.write_text("-----BEGIN CERTIFICATE-----\n")
    conn = cdpdb.adobe.query_service_url(**adobe.connect_args(sandbox="dev"), sslrootcert=str(root))
    assert conn.database == "dev:all"
    assert conn.connect_args == {"sslmode": "verify-full", "gssencmode": "disable", "sslrootcert": str(root)}
    kwargs = cdpdb.adobe.query_service_url(**adobe.connect_args(), database="prod:cja?FLATTEN").psycopg_kwargs()
    assert kwargs["dbname"] == "prod:cja?FLATTEN" and kwargs["gssencmode"] == "disable"
    assert adobe.requests.find("GET", wire.QUERY_CONNECTION_PARAMETERS)[0].sandbox == "dev"
