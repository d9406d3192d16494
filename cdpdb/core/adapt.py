"""Python values → wire text and JSON: one registry of small dumpers, one per Python type.

A *dumper* knows one Python type: the generic *kind* of its values (``text``, ``boolean``,
``bigint``, ``double``, ``numeric``, ``timestamp``, ``timestamptz``, ``date``, ``time``), their
exact text, and their JSON form. An :class:`Adapters` registry finds a value's dumper by walking
its type's MRO, so order never matters (``bool`` is an ``int``, ``datetime`` is a ``date``: each
has its own entry, found first) and subclasses (``IntEnum``, ``numpy.float64``) get their base's
dumper. A dumper may hand a value to a more precise one (:meth:`Dumper.upgrade`: an aware
``datetime`` is a ``timestamptz``, a naive one a ``timestamp``).

A backend derives its own registry from :data:`adapters`, passing the :class:`Limits` of the
system it talks to (integer range, NUMERIC digits, NUL in text) and registering or overriding
dumpers; it then maps each kind to its own spellings (type names, SQL literals). This module
knows no backend.

Texts are exact: a float is its shortest repr (``NaN``, ``Infinity``, ``-Infinity``, the sign of
zero kept), a Decimal plain digits with its own scale (never rounded, never an exponent), an aware
datetime the UTC instant. JSON has no NaN or infinity, and a JSON number loses a decimal's scale,
so those travel as text.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Generic, Literal, TypeVar, get_args

from cdpdb.exceptions import DataError, ProgrammingError

Kind = Literal["text", "boolean", "bigint", "double", "numeric", "timestamp", "timestamptz", "date", "time"]
KINDS: tuple[Kind, ...] = get_args(Kind)
JsonScalar = str | int | float | bool | None

_UTC = dt.timezone.utc
T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """What the receiving system can hold; a dumper refuses anything beyond, never alters it.

    ``system`` names it in error messages. ``None`` means no limit.
    """

    system: str = "the server"
    bigint: tuple[int, int] | None = None  # inclusive range of the integer kind
    numeric_precision: int | None = None  # total digits of the numeric kind
    numeric_scale: int | None = None  # digits after the decimal point
    nul_in_text: bool = True  # may text contain U+0000?


NO_LIMITS = Limits()


@dataclass(frozen=True)
class Dumped:
    """One value's kind and exact text (``None`` is NULL)."""

    kind: Kind
    text: str | None


class Dumper(Generic[T]):
    """Turns values of one Python type into their kind's text and JSON form.

    Subclasses set ``kind`` and implement :meth:`text`; :meth:`json` defaults to the text.
    A registry makes one instance per Python type, with the registry's :class:`Limits`.
    """

    kind: ClassVar[Kind]

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def upgrade(self, value: T) -> Dumper[T]:
        """The dumper for this very value (``self`` unless the kind depends on the value)."""
        return self

    def text(self, value: T) -> str | None:
        raise NotImplementedError

    def json(self, value: T) -> JsonScalar:
        return self.text(value)


# -- exact texts, as pure functions ----------------------------------------------------------


def float_text(value: float) -> str:
    """Text that reads back as exactly ``value``: repr is the shortest such text, sign of zero kept;
    ``NaN``, ``Infinity`` and ``-Infinity`` as SQL spells them."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))


def decimal_text(value: Decimal, limits: Limits = NO_LIMITS) -> str:
    """Plain digits with the value's own scale (``1E-7`` → ``0.0000001``, ``1E+2`` → ``100``), after
    checking that ``limits`` hold it: never a rounded or different number."""
    system = limits.system
    if not value.is_finite():
        raise DataError(f"cannot send the decimal {value}: {system}'s NUMERIC holds only finite numbers")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    scale = max(-exponent, 0)
    whole_digits = max(len(digits) + exponent, 0) if any(digits) else 0
    precision = max(whole_digits + scale, 1)
    if limits.numeric_scale is not None and scale > limits.numeric_scale:
        most = limits.numeric_scale
        raise DataError(
            f"cannot send the decimal {value}: it has {scale} digits after the decimal point and {system}'s "
            f"NUMERIC holds at most {most}; round it first, e.g. value.quantize(Decimal('1E-{most}'))"
        )
    if limits.numeric_precision is not None and precision > limits.numeric_precision:
        raise DataError(
            f"cannot send the decimal {value}: it has {precision} digits and {system}'s "
            f"NUMERIC holds at most {limits.numeric_precision}; round it to fewer digits (value.quantize(...)) "
            "or send it as a float"
        )
    return format(value, "f")


def timestamptz_text(value: dt.datetime) -> str:
    """The instant in UTC; one whose UTC date falls outside Python's years 1-9999 (0001-01-01
    00:00+05:00) keeps its own offset, which means the same instant."""
    try:
        return value.astimezone(_UTC).isoformat(sep=" ")
    except OverflowError:
        return value.isoformat(sep=" ")


# -- the dumpers -------------------------------------------------------------------------------


class NoneDumper(Dumper[None]):
    kind = "text"  # an untyped NULL

    def text(self, value: None) -> None:
        return None


class StrDumper(Dumper[str]):
    kind = "text"

    def text(self, value: str) -> str:
        if not self.limits.nul_in_text and "\x00" in value:
            raise ProgrammingError(f"text sent to {self.limits.system} cannot contain the NUL character")
        return str.__str__(value)  # a plain str, also for a str Enum


class BoolDumper(Dumper[bool]):
    kind = "boolean"

    def text(self, value: bool) -> str:
        return "true" if value else "false"

    def json(self, value: bool) -> bool:
        return bool(value)


class IntDumper(Dumper[int]):
    kind = "bigint"

    def text(self, value: int) -> str:
        return str(self.json(value))

    def json(self, value: int) -> int:
        number = int(value)  # an IntEnum's str() is its name
        if self.limits.bigint is not None:
            low, high = self.limits.bigint
            if not low <= number <= high:
                digits = self.limits.numeric_precision
                bigger = f"a NUMERIC of up to {digits} digits" if digits else "a NUMERIC"
                raise DataError(
                    f"the integer {number} does not fit {self.limits.system}'s BIGINT ({low} to {high}); "
                    f"send it as decimal.Decimal(value) for {bigger}"
                )
        return number


class FloatDumper(Dumper[float]):
    kind = "double"

    def text(self, value: float) -> str:
        return float_text(value)

    def json(self, value: float) -> JsonScalar:
        number = float(value)
        return number if math.isfinite(number) else float_text(number)  # JSON has no NaN or Infinity


class DecimalDumper(Dumper[Decimal]):
    kind = "numeric"

    def text(self, value: Decimal) -> str:
        return decimal_text(value, self.limits)  # JSON too: a JSON number would lose the scale


class DateDumper(Dumper[dt.date]):
    kind = "date"

    def text(self, value: dt.date) -> str:
        return value.isoformat()


class TimeDumper(Dumper[dt.time]):
    kind = "time"

    def text(self, value: dt.time) -> str:
        if value.utcoffset() is not None:
            raise ProgrammingError(
                f"cannot send the time {value}: {self.limits.system}'s TIME has no time zone; "
                "send a naive time (value.replace(tzinfo=None)) or an aware datetime"
            )
        return value.isoformat()


class TimestampDumper(Dumper[dt.datetime]):
    """A naive datetime; hands an aware one to :class:`TimestamptzDumper`."""

    kind = "timestamp"

    def upgrade(self, value: dt.datetime) -> Dumper[dt.datetime]:
        return TimestamptzDumper(self.limits) if value.utcoffset() is not None else self

    def text(self, value: dt.datetime) -> str:
        return value.isoformat(sep=" ")


class TimestamptzDumper(Dumper[dt.datetime]):
    kind = "timestamptz"

    def text(self, value: dt.datetime) -> str:
        return timestamptz_text(value)


# -- the registry ------------------------------------------------------------------------------


class Adapters:
    """Python type → dumper, looked up along the type's MRO.

    ``Adapters(template, limits=...)`` copies a template's dumpers (and limits, unless given);
    :meth:`register` then adds or overrides one type's dumper without touching the template.
    """

    def __init__(self, template: Adapters | None = None, *, limits: Limits | None = None) -> None:
        self._dumpers: dict[type, type[Dumper[Any]]] = dict(template._dumpers) if template else {}
        self.limits: Limits = limits or (template.limits if template else NO_LIMITS)
        self._found: dict[type, Dumper[Any] | None] = {}

    def register(self, cls: type, dumper: type[Dumper[Any]]) -> None:
        self._dumpers[cls] = dumper
        self._found = {}

    def get_dumper(self, cls: type) -> Dumper[Any] | None:
        """The dumper for values of ``cls``, or None if no type in its MRO has one."""
        try:
            return self._found[cls]
        except KeyError:
            pass
        found = next((self._dumpers[base] for base in cls.__mro__ if base in self._dumpers), None)
        dumper = found(self.limits) if found else None
        self._found[cls] = dumper
        return dumper

    def dumper(self, value: Any) -> Dumper[Any]:
        """The dumper for this value; ProgrammingError if its type has none."""
        dumper = self.get_dumper(type(value))
        if dumper is None:
            raise ProgrammingError(
                f"cannot send a value of type {type(value).__name__} to {self.limits.system}; use {self.supported()}"
            )
        return dumper.upgrade(value)

    def dump(self, value: Any) -> Dumped:
        """The kind and exact text of one value."""
        dumper = self.dumper(value)
        return Dumped(dumper.kind, dumper.text(value))

    def json(self, value: Any) -> JsonScalar:
        """The JSON form of one value: its text where JSON cannot hold it exactly."""
        return self.dumper(value).json(value)

    def supported(self) -> str:
        """The registered types, by name, for error messages."""
        names = ["None" if cls is type(None) else cls.__name__ for cls in self._dumpers]
        return ", ".join(names)


adapters = Adapters()
"""The default registry: every type below, no limits. Backends derive theirs from it."""

for _cls, _dumper in (
    (type(None), NoneDumper),
    (str, StrDumper),
    (bool, BoolDumper),
    (int, IntDumper),
    (float, FloatDumper),
    (Decimal, DecimalDumper),
    (dt.date, DateDumper),
    (dt.datetime, TimestampDumper),
    (dt.time, TimeDumper),
):
    adapters.register(_cls, _dumper)
del _cls, _dumper
