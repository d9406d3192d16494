"""The SQLAlchemy dialect ``adobe``: ``create_engine("adobe://...")`` over cdpdb."""

from cdpdb.backends.adobe.sqlalchemy.dialect import AdobeDialect

__all__ = ["AdobeDialect"]
