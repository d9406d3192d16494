"""Compare what a script saw through an official connector with what it saw through cdpdb's
drop-in replacement.

Values come back from the subprocess harness tagged with their Python type (see
``official_clients.tagged``) and are decoded here. Two values agree when they are equal, or
when one of the documented corrections (docs/migrating.md, by its id: CDP-1, DC-1, ...) says how
the old value relates to the new one — each rule checks the new value's type too, so a rule can
only explain the difference it documents.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

UTC = dt.timezone.utc


class Missing:
    """A missing DataFrame cell (NaN, NaT, pd.NA, None)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Missing)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


@dataclass(frozen=True)
class Raised:
    cls: str
    bases: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class TypeObject:
    names: frozenset[str]


@dataclass(frozen=True)
class Frame:
    columns: list[str]
    dtypes: list[str]
    values: list[list[Any]]


def decode(node: Any) -> Any:
    """The harness's tagged JSON → Python values (Decimal, aware datetimes, Frame, Raised...)."""
    if node is None:
        return None
    ((tag, value),) = node.items()
    if tag in ("bool", "str"):
        return value
    if tag == "int":
        return int(value)
    if tag == "float":
        return float(value)
    if tag == "decimal":
        return Decimal(value)
    if tag == "datetime":
        text, offset = value
        zone = None if offset is None else dt.timezone(dt.timedelta(seconds=offset))
        return dt.datetime.fromisoformat(text).replace(tzinfo=zone)
    if tag == "date":
        return dt.date.fromisoformat(value)
    if tag == "time":
        return dt.time.fromisoformat(value)
    if tag == "list":
        return [decode(v) for v in value]
    if tag == "tuple":
        return tuple(decode(v) for v in value)
    if tag == "dict":
        return {k: decode(v) for k, v in value.items()}
    if tag == "typeobject":
        return TypeObject(frozenset(value))
    if tag == "error":
        return Raised(value["class"], tuple(value["bases"]), value["message"])
    if tag == "frame":
        return Frame(value["columns"], value["dtypes"], [[decode(c) for c in column] for column in value["values"]])
    if tag == "missing":
        return MISSING
    raise AssertionError(f"unknown tag {tag!r}")


@dataclass
class Report:
    """Every disagreement found, with where it is; ``used`` are the corrections that explained one."""

    problems: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def check(self, ok: bool, where: str, old: Any, new: Any, correction: str | None = None) -> None:
        if not ok:
            self.problems.append(f"{where}: official {old!r} vs compat {new!r}")
        elif correction:
            self.used.add(correction)

    def assert_clean(self) -> None:
        assert not self.problems, f"{len(self.problems)} differences:\n" + "\n".join(self.problems[:15])


# -- values, by the column's type ----------------------------------------------------------------

Rule = Callable[[Any, Any], tuple[bool, str | None]]


def _same(old: Any, new: Any) -> tuple[bool, str | None]:
    return (type(old) is type(new) and old == new), None


def _instant(old: Any, new: Any, correction: str) -> tuple[bool, str | None]:
    """Aware datetimes of the same instant; cdpdb's is always in UTC."""
    ok = isinstance(new, dt.datetime) and new.utcoffset() == dt.timedelta(0) and isinstance(old, dt.datetime)
    return ok and old.utcoffset() is not None and old == new, correction


def _cdp_rule(type_name: str) -> Rule:
    """salesforce-cdp-connector: the V2 JSON value as it came (often its text) → a typed value."""
    if type_name == "DECIMAL":  # CDP-1: exact Decimal instead of float
        return lambda old, new: (isinstance(new, Decimal) and type(old) is float and float(new) == old, "CDP-1")
    if type_name in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT"):  # CDP-2: int instead of the JSON text
        return lambda old, new: (type(new) is int and (old == new or old == str(new)), "CDP-2")
    if type_name in ("DOUBLE", "FLOAT", "REAL"):
        return lambda old, new: (type(new) is float and old is not None and float(old) == new, "CDP-2")
    if type_name == "BOOLEAN":
        return lambda old, new: (type(new) is bool and old in (new, str(new).lower()), "CDP-2")
    if type_name == "DATE":
        return lambda old, new: (type(new) is dt.date and old in (new, new.isoformat()), "CDP-2")
    if type_name in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"):  # CDP-3: the same instant, in timezone.utc
        return lambda old, new: _instant(old, new, "CDP-3")
    return _same


def _dc_rule(type_name: str) -> Rule:
    """salesforce-datacloud-connector: its conversions → cdpdb's."""
    if type_name == "Numeric":  # DC-1: always an exact Decimal (old: float if precision <= 15, int if scale 0)
        return lambda old, new: (
            isinstance(new, Decimal)
            and (
                (type(old) is Decimal and old == new)
                or (type(old) is float and float(new) == old)
                or (type(old) is int and new == old and new == new.to_integral_value())
            ),
            None if type(old) is Decimal else "DC-1",
        )
    if type_name == "Timestamp":  # DC-2: a datetime, not the server's text
        return lambda old, new: (
            type(new) is dt.datetime and new.tzinfo is None and dt.datetime.fromisoformat(old) == new,
            "DC-2",
        )
    if type_name == "Time":
        return lambda old, new: (type(new) is dt.time and dt.time.fromisoformat(old) == new, "DC-2")
    if type_name == "TimestampTZ":  # DC-2: the same instant; dateutil gave it the machine's zone object
        return lambda old, new: _instant(old, new, "DC-2")
    return _same


def compare_rows(report: Report, where: str, old: list, new: list, types: list[str], cdp: bool) -> None:
    """Row by row, column by column, each column by its type's rule."""
    report.check(len(old) == len(new), f"{where}: row count", len(old), len(new))
    rules = [(_cdp_rule if cdp else _dc_rule)(t) for t in types]
    for index, (old_row, new_row) in enumerate(zip(old, new, strict=False)):
        expected_shape = list if cdp else tuple  # CDP rows are lists, Data Cloud rows tuples: kept
        report.check(type(new_row) is expected_shape, f"{where}[{index}] row type", type(old_row), type(new_row))
        report.check(len(old_row) == len(new_row), f"{where}[{index}] width", len(old_row), len(new_row))
        for column, (rule, a, b) in enumerate(zip(rules, old_row, new_row, strict=False)):
            if a is None or b is None:
                report.check(a is None and b is None, f"{where}[{index}][{column}]", a, b)
                continue
            ok, correction = rule(a, b)
            report.check(ok, f"{where}[{index}][{column}] ({types[column]})", a, b, correction)


# -- DataFrames ----------------------------------------------------------------------------------

# Each compat dtype with the old dtypes it may replace (docs: CDP-5, DC-5), and how values relate.
FRAME_DTYPES: list[tuple[str, str, str]] = [
    (r"string", r"str|object", "string"),
    (r"datetime64\[us, UTC\]", r"datetime64\[(ms|us), .+\]", "instant"),
    (r"date32\[day\]\[pyarrow\]", r"object", "date"),
    (r"boolean", r"bool|object", "bool"),
    (r"Int64", r"int64|float64", "int"),
    (r"Float64", r"float64", "float"),
    (r"decimal128\(\d+, \d+\)\[pyarrow\]", r"float64|object", "decimal"),
]


def _cell(kind: str, old: Any, new: Any) -> bool:
    if isinstance(new, Missing) or old is None or isinstance(old, Missing):
        return isinstance(new, Missing) and (old is None or isinstance(old, Missing))
    if kind == "instant":
        return isinstance(new, dt.datetime) and new.utcoffset() == dt.timedelta(0) and old == new
    if kind == "decimal":
        return isinstance(new, Decimal) and (old == new if isinstance(old, Decimal) else float(new) == old)
    if kind == "int":
        return type(new) is int and old == new
    if kind == "float":
        return type(new) is float and old == new
    if kind == "bool":
        return type(new) is bool and old is new
    if kind == "date":
        return type(new) is dt.date and old == new
    return type(new) is str and old == new


def compare_frames(report: Report, where: str, old: Frame, new: Frame, correction: str) -> None:
    """Column names and order equal; each dtype pair allowed by the table above; values equal."""
    report.check(old.columns == new.columns, f"{where}: columns", old.columns, new.columns)
    for name, old_type, new_type, a, b in zip(
        old.columns, old.dtypes, new.dtypes, old.values, new.values, strict=False
    ):
        kind = next(
            (k for n, o, k in FRAME_DTYPES if re.fullmatch(n, new_type) and re.fullmatch(o, old_type)),
            None,
        )
        report.check(kind is not None, f"{where}.{name}: dtype", old_type, new_type, correction)
        report.check(len(a) == len(b), f"{where}.{name}: length", len(a), len(b))
        if kind is None:
            continue
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            report.check(_cell(kind, x, y), f"{where}.{name}[{index}]", x, y)


# -- descriptions and errors ---------------------------------------------------------------------


def compare_cdp_description(report: Report, old: list, new: list, rows: list) -> None:
    """Names and V2 type names identical; cdpdb adds precision and scale (CDP-4), which must be
    those of the values."""
    report.check(len(old) == len(new), "description: columns", len(old), len(new))
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        report.check(a[:4] == b[:4] and b[6] is None, f"description[{index}]", a, b)
        report.check(a[4:] == (None, None, None), f"description[{index}] official extras", a, b)
        if b[4:6] != (None, None):
            scales = {-v.as_tuple().exponent for row in rows if isinstance(v := row[index], Decimal)}
            report.check(b[1] == "DECIMAL" and scales <= {b[5]}, f"description[{index}] scale", a, b, "CDP-4")


def compare_dc_description(report: Report, old: list, new: list) -> None:
    """Names, precision, scale, null_ok identical; cdpdb's type is the type name, which its type
    objects cover as the old type object did — except Boolean, no longer a NUMBER, and the types
    the old table lacked (Timestamp, Time, SmallInt), which it called STRING (DC-3)."""
    report.check(len(old) == len(new), "description: columns", len(old), len(new))
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        report.check(a[0] == b[0] and a[2:] == b[2:], f"description[{index}]", a, b)
        covered = isinstance(b[1], str) and b[1].upper() in a[1].names
        boolean = b[1] == "Boolean" and "NUMERIC" in a[1].names
        unknown = b[1] in ("Timestamp", "Time", "SmallInt") and "VARCHAR" in a[1].names
        report.check(covered or boolean or unknown, f"description[{index}] type", a[1], b[1], "DC-3")


def server_message(raised: Raised) -> str:
    """The server's own message inside an official connector's error text."""
    text = raised.message
    if text.startswith("[{"):  # datacloud: the raw JSON error body
        import json

        return json.loads(text)[0]["message"]
    return text.split("message=", 1)[1] if "message=" in text else text  # cdp: "status=400, message=..."
