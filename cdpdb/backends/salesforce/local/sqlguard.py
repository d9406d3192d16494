"""What the Query API lets a caller run: read queries over the objects of their own dataspace.

Hyper can read files (``external(...)``, ``COPY ... FROM 'file'``), attach other databases (each
dataspace is its own ``.hyper`` file) and show its catalogs. Data Cloud's Query API can do none of
that, and a login scoped to one dataspace must never see another's rows or the server's files.
So every statement of the query path is parsed (sqlglot, PostgreSQL grammar, which Hyper speaks)
and allowed only when it is one read query whose tables are plain objects of the caller's
dataspace (or its own CTEs), whose table functions are on a short allow-list and which calls
no function that reaches outside the query. The engine is also started with file access
confined to an empty folder (see :mod:`cdpdb.local.engine`), so a gap here still reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.tokens import TokenType

from cdpdb.local.engine import EngineError

#: SQLSTATEs of a refusal: not a query (read-only transaction) and not allowed (privilege).
READ_ONLY = "25006"
NOT_ALLOWED = "42501"
UNDEFINED_TABLE = "42P01"
SYNTAX = "42601"

_QUERY_ROOTS = (exp.Select, exp.SetOperation, exp.Subquery, exp.Values)
#: Table-valued functions that only compute values (no storage, no files).
_TABLE_FUNCTIONS = (exp.GenerateSeries, exp.ExplodingGenerateSeries, exp.Unnest)
#: Scalar functions that reach outside the query: settings, files, the server. Functions named
#: ``pg_*`` are refused too, except these, which only describe the dataspace's own objects.
_DENIED_FUNCTIONS = frozenset({"external", "current_setting", "set_config", "lo_import", "lo_export", "dblink"})
_CATALOG_FUNCTIONS = frozenset(
    {
        "pg_get_expr",
        "pg_table_is_visible",
        "pg_type_is_visible",
        "pg_get_userbyid",
        "pg_get_constraintdef",
        "pg_get_indexdef",
        "pg_typeof",
        "pg_encoding_to_char",
    }
)
#: Catalog relations a query may read: they describe only the database it runs in, i.e. the
#: caller's dataspace (Salesforce's own connector lists tables through them). Not among them:
#: pg_database and pg_settings (server paths and settings), statistics and Hyper's own tables.
_CATALOG_RELATIONS = {
    "pg_catalog": frozenset(
        {
            "pg_namespace",
            "pg_class",
            "pg_attribute",
            "pg_type",
            "pg_attrdef",
            "pg_description",
            "pg_index",
            "pg_constraint",
            "pg_am",
            "pg_proc",
            "pg_tables",
            "pg_views",
            "pg_roles",
            "pg_user",
            "pg_enum",
            "pg_range",
            "pg_collation",
            "pg_inherits",
        }
    ),
    "information_schema": frozenset(
        {"tables", "columns", "schemata", "views", "table_constraints", "key_column_usage"}
    ),
}
_WRITES = (exp.DML, exp.DDL, exp.Into, exp.Command, exp.Copy, exp.Set, exp.Use, exp.Pragma, exp.Transaction)
_READ_ONLY_HELP = "the Query API is read-only and runs one query (SELECT, WITH, VALUES) at a time"


def strip_terminator(sql: str) -> str:
    """``sql`` without trailing ``;`` (and the whitespace and comments around them).

    The query path wraps the user's SQL (``COPY (...)``, ``SELECT * FROM (...)``), where a
    terminator is a syntax error; every API accepts ``SELECT 1;`` as Data Cloud does.
    """
    try:
        tokens = sqlglot.Dialect.get_or_raise("postgres").tokenize(sql)
    except (TokenError, SqlglotError):
        return sql  # unterminated string or comment: let the parser report it
    end = len(sql)
    while tokens and tokens[-1].token_type == TokenType.SEMICOLON:
        end = tokens.pop().start
    return sql[:end].rstrip() if end < len(sql) else sql


def check_query(sql: str, objects: Iterable[str], dataspace: str) -> None:
    """Raise :class:`EngineError` unless ``sql`` is one read query over ``objects`` only.

    ``objects`` are the exact (case-sensitive) names of the dataspace's objects. Positions in the
    error are 1-based offsets into ``sql``.
    """
    tree = _parse_one(sql)
    known = set(objects)
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    for node in tree.walk():
        if isinstance(node, _WRITES):
            raise EngineError(READ_ONLY, f"{_describe(node)} is not allowed: {_READ_ONLY_HELP}", _position(node))
        if isinstance(node, exp.Table):
            _check_table(node, known, ctes, dataspace)
        elif isinstance(node, exp.Func):
            _check_function(node)


def _parse_one(sql: str) -> exp.Expression:
    try:
        statements = [s for s in sqlglot.parse(sql, read="postgres") if s is not None]
    except ParseError as exc:
        error = exc.errors[0] if exc.errors else {}
        position = _line_col(sql, error.get("line"), error.get("col"))
        raise EngineError(SYNTAX, f"syntax error: {error.get('description') or exc}", position) from None
    except SqlglotError as exc:  # the tokenizer's errors (an unterminated string) are not ParseErrors
        raise EngineError(SYNTAX, f"syntax error: {exc}") from None
    if len(statements) != 1:
        raise EngineError(SYNTAX, f"exactly one SQL statement is expected, not {len(statements)}: {_READ_ONLY_HELP}")
    tree = statements[0]
    if not isinstance(tree, _QUERY_ROOTS):
        raise EngineError(READ_ONLY, f"{_describe(tree)} is not allowed: {_READ_ONLY_HELP}", _position(tree))
    return tree


def _check_table(table: exp.Table, known: set[str], ctes: set[str], dataspace: str) -> None:
    target = table.this
    if target is None or isinstance(target, _TABLE_FUNCTIONS):
        return  # ROWS FROM (...) holds functions, which the walk checks one by one
    if isinstance(target, exp.Func):
        name = (target.name if isinstance(target, exp.Anonymous) else target.sql_name()).lower()
        raise EngineError(
            NOT_ALLOWED,
            f"the table function {name}() is not allowed: queries read only the objects of dataspace "
            f"{dataspace!r} (allowed table functions: generate_series, unnest)",
            _position(target),
        )
    if not isinstance(target, exp.Identifier):
        raise EngineError(NOT_ALLOWED, f"{_describe(target)} is not allowed as a table", _position(table))
    name = target.name if target.quoted else target.name.lower()
    db = table.args.get("db")
    schema = table.db if db is None or getattr(db, "quoted", True) else table.db.lower()
    if not table.catalog and not schema and (name in ctes or name in _CATALOG_RELATIONS["pg_catalog"]):
        return
    if not table.catalog and name in _CATALOG_RELATIONS.get(schema, ()):
        return
    if table.catalog or schema not in ("", "public"):
        qualifier = "a name qualified by a database" if table.catalog else f"{table.db}.{target.name}"
        raise EngineError(
            NOT_ALLOWED,
            f"{qualifier} is not allowed: queries read only the objects of dataspace {dataspace!r} "
            "(and the catalog tables that describe them), never other databases, schemas or server tables",
            _position(table),
        )
    if name.startswith("pg_") and name not in known:
        raise EngineError(
            NOT_ALLOWED,
            f"{name} is not allowed: of the server's catalog, queries may read only the tables that describe "
            f"dataspace {dataspace!r} ({', '.join(sorted(_CATALOG_RELATIONS['pg_catalog']))})",
            _position(target),
        )
    if name not in known:
        folded = not target.quoted and any(n.lower() == name for n in known)
        raise EngineError(
            UNDEFINED_TABLE,
            f'table "{name}" does not exist in dataspace {dataspace!r}'
            + (" (unquoted names are folded to lower case; quote mixed-case names)" if folded else ""),
            _position(target),
        )


def _check_function(func: exp.Func) -> None:
    name = (func.name if isinstance(func, exp.Anonymous) else func.sql_name()).lower()
    if name in _DENIED_FUNCTIONS or (name.startswith("pg_") and name not in _CATALOG_FUNCTIONS):
        raise EngineError(
            NOT_ALLOWED,
            f"the function {name}() is not allowed: queries may not read files, settings or the server's catalogs",
            _position(func),
        )


def _describe(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return f"the {str(node.this).upper()} statement"
    if isinstance(node, exp.Into):
        return "SELECT ... INTO"
    return f"the {node.key.upper()} statement"


def _position(node: exp.Expression) -> int | None:
    """1-based offset of the first token sqlglot kept a position for in ``node``."""
    for part in node.walk():
        meta = part.meta if isinstance(part, exp.Identifier) else getattr(part, "_meta", None) or {}
        if "start" in meta:
            return int(meta["start"]) + 1
    return None


def _line_col(sql: str, line: int | None, col: int | None) -> int | None:
    if not line or not col:
        return None
    lines = sql.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + col


# -- error positions: from the SQL Hyper ran back to the SQL the client sent --------------------


class PositionMap:
    """Where each piece of rewritten SQL came from, so an error position points into the client's text.

    Rewrites are recorded as edits ``(out_start, out_end, in_start, in_end)`` (0-based, half-open,
    in order). A position inside a replaced piece (a bound parameter) maps to the start of what it
    replaced; a position inside purely inserted text (a wrapper) maps to nothing.
    """

    def __init__(self, edits: Iterable[tuple[int, int, int, int]] = ()) -> None:
        self.edits = list(edits)

    def wrapped(self, prefix_length: int) -> PositionMap:
        """The map of this text placed after ``prefix_length`` inserted characters."""
        shifted = [(a + prefix_length, b + prefix_length, c, d) for a, b, c, d in self.edits]
        return PositionMap([(0, prefix_length, 0, 0), *shifted])

    def __call__(self, position: int) -> int | None:
        offset = position - 1
        delta = 0
        for out_start, out_end, in_start, in_end in self.edits:
            if offset < out_start:
                break
            if offset < out_end:
                return in_start + 1 if in_end > in_start else None
            delta += (out_end - out_start) - (in_end - in_start)
        return offset - delta + 1


def token_position(user_sql: str, user_dialect: str, engine_sql: str, position: int) -> int | None:
    """Map a position in SQL that sqlglot regenerated (V1/V2 translation) back to the user's SQL.

    The regenerated text has other spacing, quoting and case, so the token at ``position`` is
    matched by its text: the k-th token with that text there is the k-th one in the user's SQL.
    ``None`` when it cannot be found (better no position than a wrong one).
    """
    try:
        theirs = sqlglot.Dialect.get_or_raise("postgres").tokenize(engine_sql)
        mine = sqlglot.Dialect.get_or_raise(user_dialect).tokenize(user_sql)
    except SqlglotError:
        return None
    offset = position - 1
    index = next((i for i, t in enumerate(theirs) if t.start <= offset <= t.end), None)
    if index is None:
        return None
    text = theirs[index].text.lower()
    nth = sum(1 for t in theirs[:index] if t.text.lower() == text)
    same = [t for t in mine if t.text.lower() == text]
    return same[nth].start + 1 if nth < len(same) else None


def check_admin(sql: str) -> None:
    """The admin path (test fixtures) may run DDL and DML, but nothing that reaches outside the
    dataspace's database: no files (COPY, external()), no other databases (ATTACH, CREATE DATABASE).

    Token-based, so it also holds for statements sqlglot cannot parse; the engine's own
    confinement (see :mod:`cdpdb.local.engine`) stays the last word.
    """
    try:
        tokens = sqlglot.Dialect.get_or_raise("postgres").tokenize(sql)
    except SqlglotError:
        return  # unterminated text: Hyper reports the syntax error itself
    words = [t.text.upper() for t in tokens]
    reason = None
    if words[:1] in (["COPY"], ["ATTACH"], ["DETACH"]):
        reason = f"{words[0]} reaches outside the dataspace's database"
    elif words[:2] in (["CREATE", "DATABASE"], ["DROP", "DATABASE"]):
        reason = f"{words[0]} DATABASE reaches outside the dataspace's database"
    elif any(w == "EXTERNAL" and nxt == "(" for w, nxt in pairwise(words)):
        reason = "external() reads files"
    if reason:
        raise EngineError(NOT_ALLOWED, f"{reason}: the admin path runs DDL and DML on the dataspace's own tables only")
