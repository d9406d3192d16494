"""The SQLAlchemy dialect ``treasuredata``: ``create_engine("treasuredata://")`` over cdpdb."""

from cdpdb.backends.treasuredata.sqlalchemy.dialect import TreasureDataDialect

__all__ = ["TreasureDataDialect"]
