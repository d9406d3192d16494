"""The Audience API's objects as typed values: what :mod:`cdpdb.treasuredata` returns.

Each class reads the API's JSON once (:meth:`from_json`): ids as text (TD gives them as numbers
or as digits), times as ``datetime`` (UTC where the API gives a zone, naive where it does not:
an activation's ``startAt``), a segment's rule as :class:`~cdpdb.backends.treasuredata.rules.Rule`.
The whole answer stays in ``raw`` (not compared, not shown) for fields TD adds later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cdpdb.backends.treasuredata import rules
from cdpdb.exceptions import InterfaceError

_RAW = field(default_factory=dict, repr=False, compare=False)


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _time(value: Any, what: str) -> dt.datetime | None:
    """ISO text → datetime (``Z`` and offsets → UTC; no zone → naive, as the API wrote it)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InterfaceError(f"the Audience API gave {what} as {value!r}, not as ISO 8601 text", reason="bad_answer")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InterfaceError(f"the Audience API gave {what} as {value!r}, not ISO 8601", reason="bad_answer") from None
    return moment.astimezone(dt.timezone.utc) if moment.tzinfo else moment


def _stamps(d: Mapping[str, Any]) -> tuple[dt.datetime | None, dt.datetime | None, User | None, User | None]:
    """created_at, updated_at, created_by, updated_by: the audit fields segments, folders and
    activations share, in the order their classes declare them."""
    return (
        _time(d.get("createdAt"), "createdAt"),
        _time(d.get("updatedAt"), "updatedAt"),
        User.from_json(d.get("createdBy")),
        User.from_json(d.get("updatedBy")),
    )


def _object(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InterfaceError(
            f"the Audience API answered {what} with {type(data).__name__}, not an object", reason="bad_answer"
        )
    return data


@dataclass(frozen=True)
class User:
    id: str | None
    td_user_id: str | None
    name: str | None

    @classmethod
    def from_json(cls, data: Any) -> User | None:
        if not isinstance(data, Mapping):
            return None
        return cls(_id(data.get("id")), _id(data.get("td_user_id")), data.get("name"))


@dataclass(frozen=True)
class Attribute:
    """One profile attribute of a parent segment (a column of its profiles table)."""

    name: str
    type: str  # string, number, timestamp, date, string_array, number_array, boolean
    parent_database: str | None = None
    parent_table: str | None = None
    parent_column: str | None = None
    grouping: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> Attribute:
        d = _object(data, "an attribute")
        return cls(
            str(d.get("name")),
            str(d.get("type")),
            d.get("parentDatabaseName"),
            d.get("parentTableName"),
            d.get("parentColumn"),
            d.get("groupingName"),
        )


@dataclass(frozen=True)
class BehaviorColumn:
    name: str
    type: str  # the attribute types' names


@dataclass(frozen=True)
class Behavior:
    """One behaviour of a parent segment: a table of events joined to profiles by the key."""

    id: str | None
    name: str
    parent_database: str | None
    parent_table: str | None
    columns: tuple[BehaviorColumn, ...]
    raw: dict[str, Any] = _RAW

    @classmethod
    def from_json(cls, data: Any) -> Behavior:
        d = _object(data, "a behaviour")
        columns = tuple(
            BehaviorColumn(str(c.get("matrixColumnName") or c.get("name")), str(c.get("type")))
            for c in d.get("schema") or []
            if isinstance(c, Mapping)
        )
        return cls(
            _id(d.get("id")),
            str(d.get("name")),
            d.get("parentDatabaseName"),
            d.get("parentTableName"),
            columns,
            dict(d),
        )


@dataclass(frozen=True)
class ParentSegment:
    id: str
    name: str | None
    description: str | None
    population: int | None
    schedule_type: str | None
    timezone: str | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    attributes: tuple[Attribute, ...] = ()
    behaviors: tuple[Behavior, ...] = ()
    raw: dict[str, Any] = _RAW

    @classmethod
    def from_json(cls, data: Any) -> ParentSegment:
        d = _object(data, "a parent segment")
        return cls(
            str(d.get("id")),
            d.get("name"),
            d.get("description"),
            d.get("population"),
            d.get("scheduleType"),
            d.get("timezone"),
            _time(d.get("createdAt"), "createdAt"),
            _time(d.get("updatedAt"), "updatedAt"),
            tuple(Attribute.from_json(a) for a in d.get("attributes") or []),
            tuple(Behavior.from_json(b) for b in d.get("behaviors") or []),
            dict(d),
        )


@dataclass(frozen=True)
class Segment:
    audience_id: str
    id: str
    name: str | None
    kind: int | None  # 0 batch, 1 realtime, 2 funnel stage
    description: str | None
    folder_id: str | None
    population: int | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    created_by: User | None
    updated_by: User | None
    rule: rules.Rule | None  # None: every profile of the parent segment
    raw: dict[str, Any] = _RAW

    @classmethod
    def from_json(cls, data: Any) -> Segment:
        d = _object(data, "a segment")
        return cls(
            str(d.get("audienceId")),
            str(d.get("id")),
            d.get("name"),
            d.get("kind"),
            d.get("description"),
            _id(d.get("segmentFolderId")),
            d.get("population"),
            *_stamps(d),
            rules.from_json(d.get("rule")),
            dict(d),
        )


@dataclass(frozen=True)
class Folder:
    id: str
    audience_id: str | None
    name: str | None
    description: str | None
    parent_folder_id: str | None  # None: the parent segment's root folder
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    created_by: User | None
    updated_by: User | None
    raw: dict[str, Any] = _RAW

    @classmethod
    def from_json(cls, data: Any) -> Folder:
        d = _object(data, "a folder")
        return cls(
            str(d.get("id")),
            _id(d.get("audienceId")),
            d.get("name"),
            d.get("description"),
            _id(d.get("parentFolderId")),
            *_stamps(d),
            dict(d),
        )


@dataclass(frozen=True)
class Activation:
    """An activation (syndication) of a segment, as the segment's listing gives it."""

    id: str
    audience_id: str | None
    segment_id: str | None
    name: str | None
    schedule_type: str | None
    start_at: dt.datetime | None  # naive: TD gives it without a zone (its zone is ``timezone``: UNCONFIRMED)
    repeat_unit: str | None
    timezone: str | None
    connection_id: str | None
    activation_template_id: str | None
    valid: bool | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    created_by: User | None
    updated_by: User | None
    raw: dict[str, Any] = _RAW

    @classmethod
    def from_json(cls, data: Any) -> Activation:
        d = _object(data, "an activation")
        return cls(
            str(d.get("id")),
            _id(d.get("audienceId")),
            _id(d.get("segmentId")),
            d.get("name"),
            d.get("scheduleType"),
            _time(d.get("startAt"), "startAt"),
            d.get("repeatUnit"),
            d.get("timezone"),
            _id(d.get("connectionId")),
            _id(d.get("activationTemplateId")),
            d.get("valid"),
            *_stamps(d),
            dict(d),
        )


@dataclass(frozen=True)
class ActivationRun:
    """One run of an activation: the TD workflow session exporting the segment (``SyndicationExecution``)."""

    activation_id: str | None
    workflow_id: str | None
    workflow_session_id: str
    workflow_attempt_id: str | None
    status: str | None  # success, canceled, error, canceling, blocked, queued, running
    created_at: dt.datetime | None
    finished_at: dt.datetime | None  # None until it ends
    raw: dict[str, Any] = _RAW

    @classmethod
    def from_json(cls, data: Any) -> ActivationRun:
        d = _object(data, "an activation run")
        return cls(
            _id(d.get("syndicationId")),
            _id(d.get("workflowId")),
            str(d.get("workflowSessionId")),
            _id(d.get("workflowAttemptId")),
            d.get("status"),
            _time(d.get("createdAt"), "createdAt"),
            _time(d.get("finishedAt"), "finishedAt"),
            dict(d),
        )


@dataclass(frozen=True)
class PopulationPoint:
    """One day of a segment's population history: ``real`` False when TD imputed it."""

    time: dt.datetime
    population: int | None
    real: bool

    @classmethod
    def from_json(cls, data: Any) -> PopulationPoint:
        if not isinstance(data, (list, tuple)) or len(data) != 3 or not isinstance(data[0], (int, float)):
            raise InterfaceError(
                f"the Audience API gave a population entry as {data!r}, not [epoch, population, real]",
                reason="bad_answer",
            )
        epoch, population, real = data
        return cls(dt.datetime.fromtimestamp(epoch, dt.timezone.utc), population, bool(real))
