"""The typed Audience API client (public name :mod:`cdpdb.treasuredata`): parent segments,
segments, folders, activations, behaviours and population history as dataclasses, and the
writes TD's SQL cannot express (create, update, delete segments and folders; run activations).

It is a thin layer over the connection's :class:`~cdpdb.backends.treasuredata.client.AudienceApi`:
the same key, HTTP session, retries and error mapping as the connection's SELECTs, no second
client. Get one from a connection with :func:`client`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from cdpdb.backends.treasuredata import rules, wire
from cdpdb.backends.treasuredata.client import AudienceApi
from cdpdb.backends.treasuredata.objects import (
    Activation,
    ActivationRun,
    Attribute,
    Behavior,
    Folder,
    ParentSegment,
    PopulationPoint,
    Segment,
)
from cdpdb.backends.treasuredata.where import rule_from_where
from cdpdb.exceptions import InterfaceError, ProgrammingError

RuleInput = rules.Rule | Mapping[str, Any] | str | None
UNSET: Any = object()  # "leave it as it is" (None means: set it to nothing)


def as_rule(rule: RuleInput, types: Mapping[str, str] | None = None) -> rules.Rule | None:
    """A rule given as a :class:`~rules.Rule`, its JSON (a mapping, or text starting with ``{``),
    or a SQL WHERE clause (any other text; needs the attribute ``types``). None: every profile."""
    if rule is None or isinstance(rule, rules.Rule):
        return rule
    if isinstance(rule, str) and not rule.lstrip().startswith("{"):
        if types is None:
            raise ProgrammingError("a rule given as a SQL WHERE clause needs the parent segment's attributes")
        return rule_from_where(rule, types)
    if isinstance(rule, str):
        try:
            rule = json.loads(rule)
        except json.JSONDecodeError as exc:
            raise ProgrammingError(f"the rule is not valid JSON: {exc}", sqlstate="22P02") from None
    try:
        return rules.from_json(rule)
    except rules.RuleError as exc:
        raise ProgrammingError(f"the rule is not a v5 segment rule: {exc}", sqlstate="22023") from None


def _ident(value: Any, what: str) -> str:
    """An id given as an int or digits (TD's ids are 64-bit integers)."""
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not text.isdigit():
        raise ProgrammingError(f"{what} must be an id (digits), not {value!r}", sqlstate="22023")
    return text


class AudienceClient:
    """Typed calls of the Audience API over a connection's HTTP session."""

    def __init__(self, api: AudienceApi) -> None:
        self.api = api

    def _path(self, template: str, **ids: Any) -> str:
        return self.api.path(template, **ids)

    # -- parent segments and their schema ----------------------------------------------------------

    def parent_segments(self) -> list[ParentSegment]:
        answer = self.api.get(self._path(wire.PARENT_SEGMENTS), what="listing parent segments")
        return [ParentSegment.from_json(p) for p in _list(answer, "parent segments")]

    def parent_segment(self, audience_id: int | str) -> ParentSegment:
        audience = _ident(audience_id, "audience_id")
        path = self._path(wire.PARENT_SEGMENT, audience_id=audience)
        return ParentSegment.from_json(self.api.get(path, what=f"reading parent segment {audience}"))

    def attributes(self, audience_id: int | str) -> list[Attribute]:
        audience = _ident(audience_id, "audience_id")
        answer = self.api.get(self._path(wire.ATTRIBUTES, audience_id=audience), what=f"attributes of {audience}")
        return [Attribute.from_json(a) for a in _list(answer, "attributes")]

    def behaviors(self, audience_id: int | str) -> list[Behavior]:
        audience = _ident(audience_id, "audience_id")
        answer = self.api.get(self._path(wire.BEHAVIORS, audience_id=audience), what=f"behaviours of {audience}")
        return [Behavior.from_json(b) for b in _list(answer, "behaviours")]

    def attribute_types(self, audience_id: int | str) -> dict[str, str]:
        """Attribute name → TD type: what a rule written as SQL is compiled against."""
        return {a.name: a.type for a in self.attributes(audience_id)}

    # -- segments -----------------------------------------------------------------------------------

    def segments(self, audience_id: int | str) -> list[Segment]:
        audience = _ident(audience_id, "audience_id")
        answer = self.api.get(self._path(wire.SEGMENTS, audience_id=audience), what=f"listing segments of {audience}")
        return [Segment.from_json(s) for s in _list(answer, "segments")]

    def segment(self, audience_id: int | str, segment_id: int | str) -> Segment:
        audience, segment = _ident(audience_id, "audience_id"), _ident(segment_id, "segment_id")
        path = self._path(wire.SEGMENT, audience_id=audience, segment_id=segment)
        return Segment.from_json(self.api.get(path, what=f"reading segment {segment}"))

    def _rule(self, audience: str, rule: RuleInput) -> rules.Rule | None:
        needs_types = isinstance(rule, str) and not rule.lstrip().startswith("{")
        return as_rule(rule, self.attribute_types(audience) if needs_types else None)

    def create_segment(
        self,
        audience_id: int | str,
        name: str,
        rule: RuleInput = None,
        *,
        folder_id: int | str | None = None,
        description: str | None = None,
        count_population: bool = True,
    ) -> Segment:
        """A new batch segment. ``rule``: a Rule, its JSON, or a SQL WHERE clause on the attributes."""
        audience = _ident(audience_id, "audience_id")
        if not isinstance(name, str) or not name.strip():
            raise ProgrammingError("a segment needs a name (non-empty text)", sqlstate="22023")
        parsed = self._rule(audience, rule)
        body: dict[str, Any] = {
            "audienceId": int(audience),
            "name": name,
            "kind": wire.KIND_BATCH,
            "rule": parsed.to_json() if parsed else {},
            "countPopulation": count_population,
        }
        if folder_id is not None:
            body["segmentFolderId"] = int(_ident(folder_id, "folder_id"))
        if description is not None:
            body["description"] = description
        answer = self.api.post(self._path(wire.SEGMENTS, audience_id=audience), body, what=f"creating segment {name!r}")
        return Segment.from_json(answer)

    def update_segment(
        self,
        audience_id: int | str,
        segment_id: int | str,
        *,
        name: str | None = None,
        rule: RuleInput = UNSET,
        folder_id: int | str | None = None,
        description: str | None = UNSET,
        count_population: bool = True,
    ) -> Segment:
        """Change what is given (``rule=None``: every profile; leave it out to keep the rule)."""
        audience, segment = _ident(audience_id, "audience_id"), _ident(segment_id, "segment_id")
        body: dict[str, Any] = {"countPopulation": count_population}
        if name is not None:
            body["name"] = name
        if rule is not UNSET:
            parsed = self._rule(audience, rule)
            body["rule"] = parsed.to_json() if parsed else {}
        if folder_id is not None:
            body["segmentFolderId"] = int(_ident(folder_id, "folder_id"))
        if description is not UNSET:
            body["description"] = description
        path = self._path(wire.SEGMENT, audience_id=audience, segment_id=segment)
        return Segment.from_json(self.api.put(path, body, what=f"updating segment {segment}"))

    def delete_segment(self, audience_id: int | str, segment_id: int | str) -> None:
        """Delete a segment (TD answers no body)."""
        audience, segment = _ident(audience_id, "audience_id"), _ident(segment_id, "segment_id")
        self.api.delete(
            self._path(wire.SEGMENT, audience_id=audience, segment_id=segment), what=f"deleting segment {segment}"
        )

    def population_history(
        self, audience_id: int | str, segment_id: int | str, since: date | None = None, until: date | None = None
    ) -> list[PopulationPoint]:
        """The segment's daily populations (``/statistics``), oldest first; ``since``/``until`` inclusive."""
        audience, segment = _ident(audience_id, "audience_id"), _ident(segment_id, "segment_id")
        params = {k: v.isoformat() for k, v in (("from", since), ("to", until)) if v is not None}
        path = self._path(wire.SEGMENT_STATISTICS, audience_id=audience, segment_id=segment)
        answer = self.api.get(path, params or None, what=f"population history of segment {segment}")
        return [PopulationPoint.from_json(p) for p in _list(answer, "population history")]

    def activations(self, audience_id: int | str, segment_id: int | str) -> list[Activation]:
        """The activations of one segment (the folder listing, with its filters, is the
        ``activations`` table)."""
        audience, segment = _ident(audience_id, "audience_id"), _ident(segment_id, "segment_id")
        path = self._path(wire.SEGMENT_ACTIVATIONS, audience_id=audience, segment_id=segment)
        answer = self.api.get(path, what=f"activations of segment {segment}")
        return [Activation.from_json(a) for a in _list(answer, "activations")]

    def run_activation(self, audience_id: int | str, segment_id: int | str, activation_id: int | str) -> ActivationRun:
        """Start an activation now (its export); the run goes on in TD's workflow. Not repeated
        after a broken transfer: a second run would export twice."""
        audience, segment = _ident(audience_id, "audience_id"), _ident(segment_id, "segment_id")
        activation = _ident(activation_id, "activation_id")
        path = self._path(wire.ACTIVATION_RUN, audience_id=audience, segment_id=segment, activation_id=activation)
        return ActivationRun.from_json(self.api.post(path, {}, what=f"running activation {activation}"))

    # -- folders --------------------------------------------------------------------------------------

    def folders(self, audience_id: int | str) -> list[Folder]:
        audience = _ident(audience_id, "audience_id")
        answer = self.api.get(self._path(wire.FOLDERS, audience_id=audience), what=f"listing folders of {audience}")
        return [Folder.from_json(f) for f in _list(answer, "folders")]

    def folder(self, audience_id: int | str, folder_id: int | str) -> Folder:
        audience, folder = _ident(audience_id, "audience_id"), _ident(folder_id, "folder_id")
        path = self._path(wire.FOLDER, audience_id=audience, folder_id=folder)
        return Folder.from_json(self.api.get(path, what=f"reading folder {folder}"))

    def create_folder(self, audience_id: int | str, name: str, description: str = "") -> Folder:
        """A new folder in the parent segment's root folder (the REST API's create takes a name and
        a description only; nesting is the JSON:API's, not offered here)."""
        audience = _ident(audience_id, "audience_id")
        if not isinstance(name, str) or not name.strip():
            raise ProgrammingError("a folder needs a name (non-empty text)", sqlstate="22023")
        if not isinstance(description, str):
            raise ProgrammingError("a folder's description is text ('' for none)", sqlstate="22023")
        body: dict[str, Any] = {"name": name, "description": description}  # both required by TD
        answer = self.api.post(self._path(wire.FOLDERS, audience_id=audience), body, what=f"creating folder {name!r}")
        return Folder.from_json(answer)

    def delete_folder(self, audience_id: int | str, folder_id: int | str) -> None:
        """Delete an empty folder (TD answers no body)."""
        audience, folder = _ident(audience_id, "audience_id"), _ident(folder_id, "folder_id")
        self.api.delete(
            self._path(wire.FOLDER, audience_id=audience, folder_id=folder), what=f"deleting folder {folder}"
        )


def _list(answer: Any, what: str) -> list[Any]:
    if not isinstance(answer, list):
        raise InterfaceError(
            f"the Audience API answered the {what} listing with {type(answer).__name__}, not a list",
            reason="bad_answer",
        )
    return answer


def client(connection: Any) -> AudienceClient:
    """The typed client of a ``cdpdb.connect(backend="treasuredata", ...)`` connection (or of its
    SQLAlchemy engine's raw DB-API connection), sharing its session."""
    session = getattr(connection, "session", None)
    api = getattr(session, "api", None)
    if not isinstance(api, AudienceApi):
        raise InterfaceError(
            "cdpdb.treasuredata.client() needs a connection opened with backend='treasuredata'", reason="wrong_backend"
        )
    return AudienceClient(api)
