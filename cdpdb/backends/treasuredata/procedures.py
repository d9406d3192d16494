"""Treasure Data's named procedures (``cursor.callproc``): the segment and folder writes, which are
API calls, not rows (no fake INSERT), and running an activation. Each runs one call of the typed
client and answers one row, ``(id)``: the object created, changed or deleted (for a run, the
workflow session it started); the parameters come back unchanged.

docs/treasuredata.md has the signature table. Parameters are positional (PEP 249); trailing
optional ones may be left out or given as None (unchanged, for ``update_segment``). A rule is the
v5 rule's JSON text (it starts with ``{``) or a SQL WHERE clause on the parent segment's attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from cdpdb.backends.treasuredata.audience import UNSET, AudienceClient
from cdpdb.backends.treasuredata.objects import Segment
from cdpdb.exceptions import ProgrammingError

UNDEFINED_FUNCTION = "42883"


@dataclass(frozen=True)
class Done:
    """What a procedure did: the id it answers, and the segment whose table changes (if any)."""

    id: str
    segment: Segment | None = None  # created or updated: its table is (re)built
    removed_segment: str | None = None  # deleted: its table is dropped


@dataclass(frozen=True)
class Procedure:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    run: Callable[[AudienceClient, dict[str, Any]], Done]

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join([*self.required, *(f'[{o}]' for o in self.optional)])})"

    def arguments(self, parameters: Sequence[Any]) -> dict[str, Any]:
        names = (*self.required, *self.optional)
        if len(parameters) > len(names):
            raise ProgrammingError(
                f"{self.signature} takes at most {len(names)} parameters, not {len(parameters)}",
                sqlstate=UNDEFINED_FUNCTION,
            )
        given = dict(zip(names, parameters, strict=False))
        missing = [n for n in self.required if given.get(n) is None]
        if missing:
            raise ProgrammingError(f"{self.signature} needs {', '.join(missing)}", sqlstate="22004")
        return given


def _create_segment(c: AudienceClient, a: dict[str, Any]) -> Done:
    made = c.create_segment(
        a["audience_id"], a["name"], a.get("rule"), folder_id=a.get("folder_id"), description=a.get("description")
    )
    return Done(made.id, segment=made)


def _update_segment(c: AudienceClient, a: dict[str, Any]) -> Done:
    changed = c.update_segment(
        a["audience_id"],
        a["segment_id"],
        name=a.get("name"),
        rule=UNSET if a.get("rule") is None else a["rule"],
        folder_id=a.get("folder_id"),
        description=UNSET if a.get("description") is None else a["description"],
    )
    return Done(changed.id, segment=changed)


def _delete_segment(c: AudienceClient, a: dict[str, Any]) -> Done:
    c.delete_segment(a["audience_id"], a["segment_id"])
    return Done(str(a["segment_id"]), removed_segment=str(a["segment_id"]))


def _create_folder(c: AudienceClient, a: dict[str, Any]) -> Done:
    return Done(c.create_folder(a["audience_id"], a["name"], a.get("description") or "").id)


def _delete_folder(c: AudienceClient, a: dict[str, Any]) -> Done:
    c.delete_folder(a["audience_id"], a["folder_id"])
    return Done(str(a["folder_id"]))


def _run_activation(c: AudienceClient, a: dict[str, Any]) -> Done:
    return Done(c.run_activation(a["audience_id"], a["segment_id"], a["activation_id"]).workflow_session_id)


PROCEDURES = {
    p.name: p
    for p in (
        Procedure("create_segment", ("audience_id", "name"), ("rule", "folder_id", "description"), _create_segment),
        Procedure(
            "update_segment",
            ("audience_id", "segment_id"),
            ("name", "rule", "folder_id", "description"),
            _update_segment,
        ),
        Procedure("delete_segment", ("audience_id", "segment_id"), (), _delete_segment),
        Procedure("create_folder", ("audience_id", "name"), ("description",), _create_folder),
        Procedure("delete_folder", ("audience_id", "folder_id"), (), _delete_folder),
        Procedure("run_activation", ("audience_id", "segment_id", "activation_id"), (), _run_activation),
    )
}


def find(name: str) -> Procedure:
    found = PROCEDURES.get(name.lower())
    if found is None:
        known = ", ".join(p.signature for p in PROCEDURES.values())
        raise ProgrammingError(
            f"Treasure Data has no procedure {name!r}; there are: {known}", sqlstate=UNDEFINED_FUNCTION
        )
    return found


def id_row(object_id: str) -> pa.Table:
    """The one-row result every procedure answers."""
    return pa.table({"id": pa.array([object_id], pa.string())})
