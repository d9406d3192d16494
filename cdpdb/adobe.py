"""Public Adobe names: ``cdpdb.adobe.query_service_url(...)`` for Query Service through
PostgreSQL tools (``create_engine(conn.url, connect_args=conn.connect_args)``)."""

from cdpdb.backends.adobe.query_service import QueryServiceConnection, query_service_url

__all__ = ["QueryServiceConnection", "query_service_url"]
