"""What the local Treasure Data does besides HTTP: its store, its keys, and segment queries on
the kit's runner (worker threads, cancellation, the minimum query time of the limits)."""

from __future__ import annotations

from cdpdb.backends.treasuredata import rules
from cdpdb.backends.treasuredata.local.keys import Keys
from cdpdb.backends.treasuredata.local.model import ParentSegment
from cdpdb.backends.treasuredata.local.queries import COUNT_COLUMN, SegmentQuery, new_query_id
from cdpdb.backends.treasuredata.local.rulesql import KEY, UnsupportedRule
from cdpdb.backends.treasuredata.local.store import Store
from cdpdb.backends.treasuredata.local.trinoproto import TrinoQuery
from cdpdb.local.duckengine import DuckEngine
from cdpdb.local.faults import FaultPlan
from cdpdb.local.results import ResultStore
from cdpdb.local.runner import QueryRunner
from cdpdb.local.sqlengine import quote_ident, quote_literal


class Backend(QueryRunner):
    def __init__(self, engine: DuckEngine, faults: FaultPlan, store: Store, keys: Keys) -> None:
        results: ResultStore[SegmentQuery] = ResultStore(faults.limits.result_lifetime_seconds, SegmentQuery)
        super().__init__(engine, faults, results)
        self.store, self.keys = store, keys
        self._jobs = 70_000_000
        #: Statements of the Trino endpoint (routes/trino.py), on the same runner and engine.
        self.trino: ResultStore[TrinoQuery] = ResultStore(faults.limits.result_lifetime_seconds, TrinoQuery)

    def submit_segment_query(
        self,
        audience_id: str,
        owner: str,
        rule: rules.Rule | None,
        columns: list[str] | None,
        page_size: int,
        max_page: int | None,
        filter_string: str | None,
    ) -> SegmentQuery:
        """Compile (raising RuleError for a bad rule), then run on a worker thread. The rule
        selects whole profiles; ``filterString`` searches their text attributes; the requested
        columns, the uncapped count and the cap are applied around it."""
        parent = self.store.parents[audience_id]
        for i, name in enumerate(columns or ()):
            if name != KEY and name not in {a.name for a in parent.attributes}:
                raise UnsupportedRule(f"columns[{i}]", f"{name!r} is not an attribute of this parent segment")
        inner = self.store.sql(audience_id, rule, self.store.dialect)
        selected = ", ".join(f"q.{quote_ident(c)}" for c in columns) if columns else "q.*"
        sql = f"select {selected}, count(*) over () as {COUNT_COLUMN} from (\n{inner}) q"
        if filter_string:
            sql += _text_filter(parent, filter_string)
        sql += f"\norder by q.{quote_ident(KEY)}"  # pages in key order (a limit's top N are chosen inside)
        if max_page:
            sql += f"\nlimit {page_size * max_page}"
        self.results.lifetime = self.faults.limits.result_lifetime_seconds
        database = self.store.parents[audience_id].database
        query: SegmentQuery = self.results.new(new_query_id(), database, owner)
        self._jobs += 2
        query.page_size, query.jobid, query.count_jobid = page_size, str(self._jobs), str(self._jobs + 1)
        self.submit(query, sql)
        return query


def _text_filter(parent: ParentSegment, text: str) -> str:
    """``filterString``: profiles with the text in any of their text attributes, ignoring case (UNCONFIRMED)."""
    needle = quote_literal(text.lower())
    tests = [
        f"position({needle} in lower(q.{quote_ident(a.name)})) > 0" for a in parent.attributes if a.type == "string"
    ]
    return "\nwhere " + (" or ".join(tests) or "false")
