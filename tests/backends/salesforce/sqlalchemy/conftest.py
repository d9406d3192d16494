"""Fixtures of the dialect tests: an engine on the session's local Data Cloud."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def engine(cloud, monkeypatch):
    """An engine on the session's local Data Cloud through a plain cdp:// URL; the client secret
    comes from the environment, as it should (SQLAlchemy prints URL query parameters)."""
    creds = cloud.credentials
    monkeypatch.setenv("CDPDB_CLIENT_SECRET", creds.client_secret)
    host = cloud.login_url.split("://", 1)[1]
    url = sa.engine.URL.create(
        "cdp",
        username=creds.username,
        password=creds.password,
        host=host.split(":")[0],
        port=int(host.split(":")[1]),
        database="default",
        query={"login_url": cloud.login_url, "client_id": creds.client_id, "ca_bundle": cloud.ca_path},
    )
    engine = sa.create_engine(url, pool_pre_ping=True)
    assert creds.client_secret not in repr(engine) and creds.password not in repr(engine)
    yield engine
    engine.dispose()
