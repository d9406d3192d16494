"""The SQLAlchemy dialect ``customerio``: ``create_engine("customerio://")`` over cdpdb."""

from cdpdb.backends.customerio.sqlalchemy.dialect import CustomerIoDialect

__all__ = ["CustomerIoDialect"]
