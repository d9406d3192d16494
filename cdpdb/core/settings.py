"""Settings mechanics for every backend: one dataclass per backend, filled from ``connect()``
keyword arguments, URL query parameters (same names) and ``CDPDB_<NAME>`` environment variables
(for secrets above all); text is coerced to each field's type, and secrets never show.

A backend declares its fields on a :class:`BackendSettings` subclass, names its secrets in
``SECRETS``, and checks combinations in ``validate()``. A wrong value fails at ``connect()``,
naming the setting to fix.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar

import orjson

from cdpdb.exceptions import ProgrammingError

ENV_PREFIX = "CDPDB_"
MASK = "***"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")

S = TypeVar("S", bound="BackendSettings")


def parse_mapping(name: str, value: str) -> dict[str, str]:
    """A mapping given as text (URL query, environment): JSON (``{"https": "http://proxy:3128"}``)
    or ``key=value`` pairs separated by commas (``https=http://proxy:3128,http=http://proxy:3128``)."""
    text = value.strip()
    if text.startswith("{"):
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise ProgrammingError(f"{name} is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise ProgrammingError(f'{name} must map names to text, e.g. {{"https": "http://proxy:3128"}}')
        return {str(k): v for k, v in parsed.items()}
    pairs = [part.strip() for part in text.split(",") if part.strip()]
    if not pairs or not all("=" in pair for pair in pairs):
        raise ProgrammingError(
            f"{name} must be key=value pairs separated by commas (e.g. https=http://proxy:3128) or a JSON "
            f"object, not {value!r}"
        )
    return {key.strip(): url.strip() for key, url in (pair.split("=", 1) for pair in pairs)}


@dataclass
class BackendSettings:
    """Base of every backend's settings dataclass."""

    SECRETS: ClassVar[frozenset[str]] = frozenset()
    HIDDEN: ClassVar[frozenset[str]] = frozenset()  # never shown at all (e.g. a file path read into a secret)
    # More environment variables a setting is read from, after CDPDB_<NAME> (a vendor's own, e.g. TD_API_KEY).
    ENVIRONMENT: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    @classmethod
    def from_arguments(cls: type[S], kwargs: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> S:
        environ = os.environ if environ is None else environ
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - names)
        if unknown:
            raise ProgrammingError(
                f"unknown connect() argument(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        values: dict[str, Any] = {}
        for name in names:
            if kwargs.get(name) is not None:
                values[name] = kwargs[name]
                continue
            variables = (ENV_PREFIX + name.upper(), *cls.ENVIRONMENT.get(name, ()))
            found = next((variable for variable in variables if environ.get(variable)), None)
            if found is not None:
                values[name] = environ[found]
        settings = cls(**values)
        settings._coerce()
        settings.validate()
        return settings

    def _coerce(self) -> None:
        """Text (from a URL or the environment) to each field's declared type."""
        hints = typing.get_type_hints(type(self))
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, str):
                continue
            kinds = set(typing.get_args(hints[f.name])) or {hints[f.name]}
            kinds.discard(type(None))
            if str in kinds:
                continue
            try:
                setattr(self, f.name, _coerced(f.name, value, kinds))
            except ValueError:
                kind = next(iter(kinds))
                raise ProgrammingError(
                    f"connect() argument {f.name} must be a {getattr(kind, '__name__', kind)}, not {value!r}"
                ) from None

    def validate(self) -> None:
        """Check values and combinations; raise ProgrammingError naming the setting to fix."""

    def shown(self) -> dict[str, Any]:
        """The settings as they may be shown (logs, reprs): secrets masked, hidden ones left out."""
        return {
            f.name: MASK if f.name in self.SECRETS and getattr(self, f.name) else getattr(self, f.name)
            for f in fields(self)
            if f.name not in self.HIDDEN
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.shown().items())})"


def _coerced(name: str, value: str, kinds: set[Any]) -> Any:
    if bool in kinds:
        lowered = value.strip().lower()
        if lowered not in _TRUE + _FALSE:
            raise ValueError(value)
        return lowered in _TRUE
    if int in kinds:
        return int(value)
    if float in kinds:
        return float(value)
    if any(typing.get_origin(kind) in (dict, Mapping) for kind in kinds):
        return parse_mapping(name, value)
    return value
