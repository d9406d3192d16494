"""The SQLAlchemy dialect ``cdp``: ``create_engine("cdp://...")`` over the cdpdb driver."""

from cdpdb.backends.salesforce.sqlalchemy.dialect import CDPDialect

__all__ = ["CDPDialect"]
