"""The SQLAlchemy 2 dialect ``cdp``: ``create_engine("cdp://...")`` over the cdpdb driver."""

from .dialect import CDPDialect

__all__ = ["CDPDialect"]
