"""SQL text handling for the local Data Cloud: parameter binding and the V1/V2 dialect.

Hyper cannot take bind parameters inside ``COPY (...) TO STDOUT``, so the server binds them
itself: each placeholder becomes ``CAST('<text>' AS <type>)`` with the text quoted by doubling
single quotes (Hyper's strings are standard-conforming, backslashes are plain characters) and
the type taken from a fixed list, so a parameter value can never become SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.tokens import TokenType

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.sqlguard import PositionMap
from cdpdb.core.sqlscan import QUERY_KEYWORDS, WRITE_KEYWORDS, leading_keyword, placeholders
from cdpdb.local.engine import EngineError, quote_ident, quote_literal

PARAM_STYLES = ("QUESTION_MARK", "NAMED", "DOLLARED")

#: Parameter type names clients send (V3 lower-case, Connect PascalCase) → Hyper type.
PARAM_TYPES = {
    "varchar": "text",
    "text": "text",
    "char": "text",
    "string": "text",
    "integer": "bigint",
    "int": "bigint",
    "smallint": "bigint",
    "bigint": "bigint",
    "tinyint": "bigint",
    "numeric": "numeric",
    "decimal": "numeric",
    "double": "double precision",
    "float": "double precision",
    "real": "double precision",
    "boolean": "boolean",
    "bool": "boolean",
    "date": "date",
    "time": "time",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
}


class BadRequest(ValueError):
    """A client mistake in the request itself (not in the SQL's meaning)."""


@dataclass(frozen=True)
class Parameter:
    value: str | None
    type: str
    name: str | None = None


def parse_parameters(raw, *, named: bool = False) -> list[Parameter]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadRequest("parameters must be a JSON array of {type, value} objects")
    params = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or "type" not in item:
            raise BadRequest(f"parameter {i + 1} must be an object with 'type' and 'value'")
        kind = str(item["type"]).strip().lower()
        if kind not in PARAM_TYPES:
            raise BadRequest(f"parameter {i + 1} has unknown type {item['type']!r}")
        value = item.get("value")
        if value is not None and not isinstance(value, str):
            value = _json_scalar_text(value)
        if named and not item.get("name"):
            raise BadRequest(f"parameter {i + 1} needs a 'name' for the NAMED parameter style")
        params.append(Parameter(value, PARAM_TYPES[kind], item.get("name")))
    return params


def _json_scalar_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    raise BadRequest("parameter values must be strings, numbers, booleans or null")


def render_parameter(param: Parameter) -> str:
    kind = param.type
    if param.value is None:
        return f"CAST(NULL AS {kind})"
    try:
        literal = quote_literal(param.value)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    if kind == "numeric":  # Hyper's bare NUMERIC has scale 0: keep every digit the client sent
        kind = f"numeric({NUMERIC_DIGITS},{numeric_scale(param.value)})"
    return f"CAST({literal} AS {kind})"


NUMERIC_DIGITS = wire.NUMERIC_DIGITS


def numeric_scale(text: str) -> int:
    """The scale a numeric parameter's text asks for (``1E-7`` → 7, ``1.50`` → 2, ``1E+3`` → 0),
    refusing a value NUMERIC(38, scale) cannot hold rather than rounding it to another number.
    Text that is no number gets scale 0, and Hyper's own cast reports it (22P02)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return 0
    if not value.is_finite():
        return 0
    _, digits, exponent = value.as_tuple()
    scale = max(-exponent, 0)
    whole = max(len(digits) + exponent, 0) if any(digits) else 0
    if scale > NUMERIC_DIGITS or whole + scale > NUMERIC_DIGITS:
        raise BadRequest(
            f"the numeric parameter {text!r} needs NUMERIC({max(whole + scale, 1)}, {scale}): Data Cloud's NUMERIC "
            f"holds at most {NUMERIC_DIGITS} digits, at most {NUMERIC_DIGITS} of them after the decimal point"
        )
    return scale


def bind(sql: str, style: str, params: list[Parameter]) -> str:
    """Replace placeholders of ``style`` by typed literals; every parameter must be used."""
    return bind_mapped(sql, style, params)[0]


def bind_mapped(sql: str, style: str, params: list[Parameter]) -> tuple[str, PositionMap]:
    """:func:`bind`, with where each piece of the result came from (for error positions).

    Linear in the SQL's length and the number of parameters: named ones are found by a dict
    (a list search per placeholder made 20,000 named values take minutes).
    """
    style = style.upper()
    if style not in PARAM_STYLES:
        raise BadRequest(f"paramStyle must be one of {', '.join(PARAM_STYLES)}, not {style!r}")
    by_name = {p.name: i for i, p in enumerate(params) if p.name}
    used: set[int] = set()
    pieces: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    done = out = 0
    for counter, (start, end, match) in enumerate(placeholders(sql, style)):
        if style == "QUESTION_MARK":
            index = counter
        elif style == "DOLLARED":
            index = int(match.group(1)) - 1
        else:
            index = by_name.get(match.group(1), -1)
            if index < 0:
                raise BadRequest(f"no value was given for the named parameter :{match.group(1)}")
        if not 0 <= index < len(params):
            raise BadRequest(f"the SQL has more placeholders than the {len(params)} parameter(s) given")
        used.add(index)
        literal = render_parameter(params[index])
        out += start - done
        pieces += [sql[done:start], literal]
        edits.append((out, out + len(literal), start, end))
        out += len(literal)
        done = end
    pieces.append(sql[done:])
    if len(used) != len(params):
        raise BadRequest(f"{len(params) - len(used)} parameter(s) were given but not used in the SQL")
    return "".join(pieces), PositionMap(edits)


READ_ONLY = "the Query API is read-only (load data with the Ingestion API)"
UTILITY_KEYWORDS = frozenset({"EXPLAIN", "SHOW", "DESCRIBE", "DESC", "SET", "USE", "ANALYZE"})


def ensure_query(sql: str) -> None:
    """Only queries run. A write is refused as one; a statement the Query API has no use for says
    so; anything else is a syntax error at its first word, as the engine would report it."""
    word = leading_keyword(sql)
    if word in QUERY_KEYWORDS:
        return
    not_a_query(sql, word)


def not_a_query(sql: str, word: str) -> None:
    if word in WRITE_KEYWORDS:
        raise EngineError("25006", f"{word} statements cannot run: {READ_ONLY}")
    if word in UTILITY_KEYWORDS:
        raise EngineError("0A000", f"{word} statements are not supported by the Query API; run the query itself")
    found = re.search(re.escape(word), sql, re.IGNORECASE) if word else None
    near = found.group(0) if found else word
    raise EngineError("42601", f'syntax error at or near "{near}"', found.start() + 1 if found else None)


# -- the V1/V2 (Trino-like) dialect --------------------------------------------------------------


@dataclass(frozen=True)
class Translated:
    sql: str  # Hyper SQL
    aggregates: tuple[bool, ...] | None  # per output column, None when unknown (SELECT *)


def translate_legacy(sql: str, names_ci: dict[str, str]) -> Translated:
    """Turn the V1/V2 Trino-like SQL into Hyper SQL.

    Trino matches identifiers case-insensitively and names an unaliased output column after the
    text of its SELECT item (``_colN`` for expressions); Hyper folds unquoted names to lower
    case. So every identifier that names a known object or field is quoted with its exact case,
    and every output column gets an explicit alias.
    """
    try:
        statements = sqlglot.parse(sql, read="trino")
    except ParseError as exc:
        error = exc.errors[0] if exc.errors else {}
        raise EngineError(
            "42601",
            f"syntax error: {error.get('description') or exc}",
            _position(sql, error.get("line"), error.get("col")),
        ) from None
    except SqlglotError as exc:  # the tokenizer's errors are not ParseErrors
        raise EngineError("42601", f"syntax error: {exc}") from None
    statements = [s for s in statements if s is not None]
    if len(statements) != 1:
        raise EngineError("42601", "exactly one SQL statement is expected")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        not_a_query(sql, leading_keyword(sql))

    aggregates: tuple[bool, ...] | None = None
    select = tree if isinstance(tree, exp.Select) else None
    if select is not None and not any(
        isinstance(e, exp.Star) or (isinstance(e, exp.Column) and e.is_star) for e in select.expressions
    ):
        flags, items = [], []
        for i, item in enumerate(select.expressions):
            flags.append(item.find(exp.AggFunc) is not None and item.find(exp.Window) is None)
            if isinstance(item, exp.Alias):
                name = item.alias
                item = item.this
            elif isinstance(item, exp.Column):
                name = item.name
            else:
                name = f"_col{i}"
            items.append(exp.alias_(item, exp.to_identifier(name, quoted=True)))
        select.set("expressions", items)
        aggregates = tuple(flags)

    for ident in tree.find_all(exp.Identifier):
        if isinstance(ident.parent, exp.Alias) and ident.parent.parent is select and ident.quoted:
            continue  # output names chosen above
        exact = names_ci.get(ident.name.lower())
        if exact is not None:
            ident.set("this", exact)
            ident.set("quoted", True)
        elif not ident.quoted:
            ident.set("this", ident.name.lower())
    _typed_literals(tree, sql)
    return Translated(tree.sql(dialect="postgres"), aggregates)


_MICROSECOND_TYPES = {exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIME}


def _typed_literals(tree: exp.Expression, sql: str) -> None:
    """Trino's typed literals (``TIMESTAMP '...'``, ``TIME '...'``, ``DATE '...'``, ``DOUBLE '...'``,
    ``DECIMAL '...'``) in Hyper's terms. sqlglot reads each as a cast of a string. Hyper takes no
    precision on TIMESTAMP or TIME (it always keeps microseconds), so the precision sqlglot infers
    from the literal's text is dropped; Hyper's bare DECIMAL has scale 0 where Trino's
    ``DECIMAL '1.50'`` keeps its digits, so that one gets the literal's own scale."""
    decimal_literals: set[int] | None = None
    for cast in tree.find_all(exp.Cast):
        literal, to = cast.this, cast.to
        if not (isinstance(literal, exp.Literal) and literal.is_string):
            continue
        if to.this in _MICROSECOND_TYPES and to.expressions:
            to.set("expressions", [])
        elif to.this == exp.DataType.Type.DECIMAL and not to.expressions:
            if decimal_literals is None:
                decimal_literals = _decimal_literal_starts(sql)
            if literal.meta.get("start") in decimal_literals:
                try:
                    scale = numeric_scale(literal.this)
                except BadRequest as exc:  # an SQL error here, not a bad request field
                    raise EngineError("22003", str(exc)) from None
                cast.set("to", exp.DataType.build(f"DECIMAL({NUMERIC_DIGITS}, {scale})"))


def _decimal_literal_starts(sql: str) -> set[int]:
    """Where the strings of ``DECIMAL '...'`` literals start (not of ``CAST('...' AS DECIMAL)``,
    whose scale is 0 in Trino too): the parse tree does not tell the two apart, the tokens do."""
    tokens = sqlglot.Dialect.get_or_raise("trino").tokenize(sql)
    return {
        token.start
        for before, token in pairwise(tokens)
        if before.token_type == TokenType.DECIMAL and token.token_type == TokenType.STRING
    }


def order_by_clause(orderby: str, columns: list[str]) -> str:
    """Validate a V1 ``orderby`` parameter (``Name ASC, Other DESC``) against the output columns."""
    by_lower = {c.lower(): c for c in columns}
    terms = []
    for term in orderby.split(","):
        words = term.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise BadRequest(f"orderby must look like 'Field__c ASC, Other__c DESC', not {orderby!r}")
        name = words[0].strip('"')
        if name.lower() not in by_lower:
            raise BadRequest(f"orderby names {name!r}, which is not a column of the query's result")
        direction = words[1].upper() if len(words) == 2 else "ASC"
        terms.append(f"{quote_ident(by_lower[name.lower()])} {direction}")
    return ", ".join(terms)


def _position(sql: str, line: int | None, col: int | None) -> int | None:
    if not line or not col:
        return None
    lines = sql.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + col
