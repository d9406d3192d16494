"""SQL compilation: Hyper (PostgreSQL-style) SQL for V3 and Connect, Trino-like SQL for V1/V2.

Hyper folds unquoted identifiers to lower case and Data Cloud names are mixed case, so the
PostgreSQL identifier rules (quote anything that is not lower case) are exactly right.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql.base import PGCompiler, PGIdentifierPreparer, PGTypeCompiler


class HyperCompiler(PGCompiler):
    def limit_clause(self, select, **kw):
        # Hyper wants LIMIT and OFFSET as literal integers (a parameter there is a syntax error);
        # literal_execute renders them at execution time, so the statement cache still works.
        kw["literal_execute"] = True
        limit = offset = ""
        if select._limit_clause is not None:
            limit = "\n LIMIT " + self.process(select._limit_clause, **kw)
        if select._offset_clause is not None:
            offset = "\n OFFSET " + self.process(select._offset_clause, **kw)
        # The V1/V2 grammar puts OFFSET before LIMIT.
        return offset + limit if self.dialect.legacy_sql else limit + offset

    def for_update_clause(self, select, **kw):
        return ""  # read-only: there is nothing to lock


class HyperTypeCompiler(PGTypeCompiler):
    pass


class HyperIdentifierPreparer(PGIdentifierPreparer):
    pass
