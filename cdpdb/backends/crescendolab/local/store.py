"""The local Crescendo Lab's contacts and tasks: a real upsert on a match key, applied once.

Contacts are kept in a dict by id with one index per match key, so a 100,000-row import is a
dict lookup per row. The member list (MAAC) is a view of the contacts that have a LINE user id
(UNCONFIRMED: on the real service MAAC members and CAAC contacts are separate products that
share LINE ids). Every change of a task is applied under one lock, so a test can prove that
every row was applied exactly once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cdpdb.backends.crescendolab import wire

FIELDS = (
    "line_uid",
    "display_name",
    "display_email",
    "display_mobile",
    "connect_id",
    "customer_id",
    "gender",
    "birthday",
)
EXPORT_COLUMNS = ("id", *FIELDS, "created_at", "updated_at")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
GENDERS = ("male", "female", "other")


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class Task:
    id: str
    kind: str  # import | export
    status: str = wire.PENDING
    result: str | None = None
    report: dict[str, Any] = field(default_factory=dict)
    download_url: str | None = None

    def answer(self) -> dict[str, Any]:
        out: dict[str, Any] = {wire.TASK_ID: self.id, wire.STATUS: self.status}
        if self.status == wire.DONE:
            out[wire.RESULT] = self.result
            out[wire.REPORT] = self.report
            if self.download_url:
                out[wire.DOWNLOAD_URL] = self.download_url
        return out


class Contacts:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.rows: dict[int, dict[str, Any]] = {}
        self.index: dict[str, dict[str, int]] = {key: {} for key in wire.IMPORT_KEYS}
        self.stats: Counter[str] = Counter()
        self.segments: dict[int, dict[str, Any]] = {}  # id → {id, name, created_at, updated_at, line_uids}
        self._next_id = 1

    def add_segment(self, name: str, line_uids: list[str]) -> int:
        """A MAAC segment as a test fixture (segments are built in MAAC's UI, not by this API)."""
        with self.lock:
            segment_id = len(self.segments) + 1
            stamp = now()
            self.segments[segment_id] = {
                "id": segment_id,
                "name": name,
                "created_at": stamp,
                "updated_at": stamp,
                "line_uids": list(line_uids),
            }
            return segment_id

    def tags(self) -> list[dict[str, Any]]:
        """Every tag on a member, with how many members carry it, ids in order of first use."""
        counts: Counter[str] = Counter()
        with self.lock:
            for row in self.rows.values():
                if row.get("line_uid"):
                    counts.update(row.get("tags") or [])
        return [{"id": number, "name": name, "member_count": n} for number, (name, n) in enumerate(counts.items(), 1)]

    def add(self, **values: Any) -> int:
        """A contact as a test fixture (``status`` and ``tags`` are the member list's)."""
        with self.lock:
            return self._create({"status": "active", "tags": [], **values})

    def _create(self, values: dict[str, Any]) -> int:
        contact_id, self._next_id = self._next_id, self._next_id + 1
        stamp = now()
        row = {"id": contact_id, "status": "active", "tags": [], **values, "created_at": stamp, "updated_at": stamp}
        self.rows[contact_id] = row
        for key in wire.IMPORT_KEYS:
            if row.get(key) is not None:
                self.index[key][str(row[key])] = contact_id
        return contact_id

    def _update(self, contact_id: int, values: dict[str, Any]) -> None:
        row = self.rows[contact_id]
        for name, value in values.items():
            if name in self.index and row.get(name) is not None:
                self.index[name].pop(str(row[name]), None)
            row[name] = value  # None clears; fields not sent are left alone
            if name in self.index and value is not None:
                self.index[name][str(value)] = contact_id
        row["updated_at"] = now()

    def find(self, key: str, value: Any) -> dict[str, Any] | None:
        with self.lock:
            contact_id = self.index[key].get(str(value))
            return dict(self.rows[contact_id]) if contact_id is not None else None

    def run_import(self, key: str, data: list[Any]) -> tuple[str, dict[str, Any], list[tuple[int, str]]]:
        """(result, report, mismatches) of one import: failed (nothing applied) for blank or repeated
        match keys; else every valid row upserted and each invalid one listed as a mismatch."""
        failures: dict[str, list[int]] = {}
        seen: set[str] = set()
        for number, record in enumerate(data):
            value = record.get(key) if isinstance(record, dict) else None
            if value is None or str(value).strip() == "":
                failures.setdefault("blank_error", []).append(number)
            elif str(value) in seen:
                failures.setdefault("duplicate_error", []).append(number)
            else:
                seen.add(str(value))
        if failures:
            self.stats["failed_tasks"] += 1
            return wire.FAILED, failures, []
        created = updated = 0
        mismatches: list[tuple[int, str]] = []
        with self.lock:
            for number, record in enumerate(data):
                why = _mismatch(record)
                if why:
                    mismatches.append((number, why))
                    continue
                existing = self.index[key].get(str(record[key]))
                if existing is None:
                    self._create(dict(record))
                    created += 1
                else:
                    self._update(existing, record)
                    updated += 1
            self.stats["applied"] += created + updated
            self.stats["created"] += created
            self.stats["updated"] += updated
            self.stats["mismatched"] += len(mismatches)
        report = {wire.TOTAL: len(data), wire.CREATED: created, wire.UPDATED: updated, wire.MISMATCH: len(mismatches)}
        return wire.SUCCESS, report, mismatches

    def export_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        with self.lock:
            rows = [[row.get(c) for c in EXPORT_COLUMNS] for row in self.rows.values()]
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        return out.getvalue().encode()

    def members(self) -> list[dict[str, Any]]:
        """The member list's view: contacts with a LINE user id, in id order."""
        with self.lock:
            return [_member(row) for _, row in sorted(self.rows.items()) if row.get("line_uid")]


def _member(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "line_uid": row.get("line_uid"),
        "name": row.get("display_name"),
        "email": row.get("display_email"),
        "mobile": row.get("display_mobile"),
        "customer_id": row.get("customer_id"),
        "status": row.get("status"),
        "tags": [{"name": tag} for tag in row.get("tags") or []],
        "created_at": row.get("created_at"),
        "updated_at": row.get("updated_at"),
    }


def _mismatch(record: dict[str, Any]) -> str | None:
    unknown = [name for name in record if name not in FIELDS]
    if unknown:
        return f"unknown field(s) {', '.join(unknown)}"
    mobile, email = record.get("display_mobile"), record.get("display_email")
    if mobile is not None and not (isinstance(mobile, str) and E164.match(mobile)):
        return f"display_mobile {mobile!r} is not an E.164 number (+886912345678)"
    if email is not None and not (isinstance(email, str) and EMAIL.match(email)):
        return f"display_email {email!r} is not an e-mail address"
    gender = record.get("gender")
    if gender is not None and gender not in GENDERS:
        return f"gender {gender!r} is not one of {', '.join(GENDERS)}"
    birthday = record.get("birthday")
    if birthday is not None:
        try:
            dt.date.fromisoformat(str(birthday))
        except ValueError:
            return f"birthday {birthday!r} is not a date (YYYY-MM-DD)"
    for name in FIELDS:
        if record.get(name) is not None and not isinstance(record[name], str):
            return f"{name} must be text, not {type(record[name]).__name__}"
    return None
