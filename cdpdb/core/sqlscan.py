"""Finding placeholders in SQL text without touching strings, comments or quoted names.

Shared by the drivers (client-side binding, list expansion) and the emulators (server-side
binding): one lexer, so both agree on what is a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# Pieces of SQL that may contain placeholder-like characters but are not placeholders.
_SKIP = re.compile(
    r"""
      '(?:[^']|'')*'            # string literal
    | [eE]'(?:[^'\\]|\\.|'')*'  # escape string
    | "(?:[^"]|"")*"            # quoted identifier
    | --[^\n]*                  # line comment
    | /\*.*?\*/                 # block comment
    | \$(?P<tag>(?:[A-Za-z_]\w*)?)\$.*?\$(?P=tag)\$   # dollar-quoted string
    | ::                        # cast operator, never a named parameter
    """,
    re.VERBOSE | re.DOTALL,
)

PLACEHOLDERS = {
    "QUESTION_MARK": re.compile(r"\?"),
    "NAMED": re.compile(r"(?<![\w:]):([^\W\d]\w*)"),
    "DOLLARED": re.compile(r"\$(\d+)"),
}


Edit = tuple[int, int, int]  # a replaced span of the original text (start, end) and its new length


def placeholders(sql: str, style: str) -> Iterator[tuple[int, int, re.Match[str]]]:
    """Each placeholder of ``style`` outside literals, comments and quoted names, with its
    offsets in ``sql`` (the match itself is of the piece of text between two skipped parts)."""
    pattern = PLACEHOLDERS[style]
    pos = 0
    for skip in [*_SKIP.finditer(sql), None]:
        stop = len(sql) if skip is None else skip.start()
        for match in pattern.finditer(sql[pos:stop]):
            yield pos + match.start(), pos + match.end(), match
        if skip is not None:
            pos = skip.end()


def substitute(sql: str, style: str, replace: Callable[[re.Match[str]], str], edits: list[Edit] | None = None) -> str:
    """Call ``replace`` for every placeholder of ``style`` outside literals, comments and names.
    ``edits`` receives each replacement, so positions in the result can be mapped back."""
    out, done = [], 0
    for start, end, match in placeholders(sql, style):
        text = replace(match)
        if edits is not None and text != match.group(0):
            edits.append((start, end, len(text)))
        out += [sql[done:start], text]
        done = end
    out.append(sql[done:])
    return "".join(out)


def original_position(edits: list[Edit], position: int) -> int:
    """A 1-based position in text rewritten by :func:`substitute`, as a position in the original
    (a position inside a replacement points at the placeholder it replaced)."""
    delta = 0
    for start, end, new_length in edits:
        new_start = start + delta
        if position - 1 < new_start:
            break
        if position - 1 < new_start + new_length:
            return start + 1
        delta += new_length - (end - start)
    return position - delta


_WORD = re.compile(r"(?<![\w$.])[A-Za-z_]\w*")


def unquoted_names(sql: str) -> set[str]:
    """The bare words of ``sql`` outside literals, comments and quoted names (keywords included)."""
    words: set[str] = set()
    pos = 0
    for skip in [*_SKIP.finditer(sql), None]:
        end = skip.start() if skip else len(sql)
        words.update(_WORD.findall(sql, pos, end))
        pos = skip.end() if skip else end
    return words


_NOISE = re.compile(r"\s+|--[^\n]*|/\*.*?\*/", re.DOTALL)
QUERY_KEYWORDS = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "("})
# Statements that change data or the catalog: the read-only Query API refuses them, so the driver
# says so before sending. Anything else (a typo, EXPLAIN, SHOW) goes to the server, whose own error
# is the useful one.
WRITE_KEYWORDS = frozenset(
    {"INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "CREATE", "DROP", "ALTER", "TRUNCATE", "COPY"}
    | {"GRANT", "REVOKE", "RENAME", "COMMENT"}
)


def leading_keyword(sql: str) -> str:
    """The first word of a statement, after whitespace and comments, upper-cased ('(' counts)."""
    pos = 0
    while (match := _NOISE.match(sql, pos)) and match.end() > pos:
        pos = match.end()
    rest = sql[pos:]
    if rest.startswith("("):
        return "("
    word = re.match(r"[A-Za-z_]+", rest)
    return word.group(0).upper() if word else rest[:1]
