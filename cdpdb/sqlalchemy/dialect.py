"""Old import path of the Data Cloud dialect (``cdpdb.sqlalchemy.dialect:CDPDialect`` in
SQLAlchemy registrations written before backends had folders)."""

from cdpdb.backends.salesforce.sqlalchemy.dialect import CDPDialect, dialect

__all__ = ["CDPDialect", "dialect"]
