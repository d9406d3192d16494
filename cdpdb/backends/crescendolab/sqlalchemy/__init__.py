"""The SQLAlchemy dialect ``crescendolab``: ``create_engine("crescendolab://")`` over cdpdb."""

from cdpdb.backends.crescendolab.sqlalchemy.dialect import CrescendoDialect

__all__ = ["CrescendoDialect"]
