"""Crescendo Lab over HTTP: the token on every call, imports paced to the API's rate, tasks
awaited by id, the member list page by page, and exports downloaded.

An import request is not safe to repeat blindly (it may have been applied): the HTTP layer
repeats it only on 429/502/503/504, answers that mean the work was not done; a broken
connection after sending it is reported, not retried. Task polls and downloads are safe.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from cdpdb.backends.crescendolab import wire
from cdpdb.backends.crescendolab.errors import error_from_response
from cdpdb.backends.crescendolab.settings import Settings
from cdpdb.core.http import HttpClient
from cdpdb.core.pace import Pacer
from cdpdb.exceptions import InternalError, OperationalError

log = logging.getLogger(__name__)
FIRST_POLL, POLL_GROWTH, LONGEST_POLL = 0.05, 1.5, 5.0


@dataclass
class ApiStats:
    """What the client did (tests and the benchmark read it)."""

    imports: int = 0
    polls: int = 0
    paced_seconds: float = 0.0


class CrescendoApi:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.http = HttpClient(settings.http_options(), error_from_response)
        self._headers = {"Authorization": f"Bearer {settings.token}", "Accept": "application/json"}
        self.pacer = Pacer(settings.rate_limit, settings.rate_window_seconds)
        self.stats = ApiStats()

    def url(self, path: str, **names: str) -> str:
        return self.settings.base + path.format(**names)

    # -- imports -----------------------------------------------------------------------------------
    def start_import(self, body: bytes, what: str) -> str:
        """POST one import (already at most the API's rows and bytes); its task id."""
        self.stats.imports += 1
        headers = {**self._headers, "Content-Type": "application/json"}
        with self.pacer.slot() as waited:
            self.stats.paced_seconds += waited
            answer = self.http.call(
                "POST", self.url(self.settings.import_path), data=body, headers=headers, what=what, safe=False
            )
        task = answer.get(wire.TASK_ID) if isinstance(answer, dict) else None
        if task is None:
            raise InternalError(f"{what}: the answer names no task id ({str(answer)[:200]}); the import may have run")
        return str(task)

    def wait_task(self, template: str, task: str, what: str) -> dict[str, Any]:
        """Poll a task until it is done (from 50 ms, growing 1.5x to 5 s); its last status."""
        url = self.url(template, task_id=task)
        deadline = time.monotonic() + self.settings.task_timeout
        pause = FIRST_POLL
        while True:
            self.stats.polls += 1
            status = self.http.call("GET", url, headers=self._headers, what=f"{what}: task {task}")
            if not isinstance(status, dict):
                raise InternalError(f"{what}: task {task}'s status is not a JSON object")
            if status.get(wire.STATUS) == wire.DONE:
                return status
            if time.monotonic() + pause > deadline:
                raise OperationalError(
                    f"{what}: task {task} is still {status.get(wire.STATUS)} after {self.settings.task_timeout:g} s; "
                    "raise task_timeout, or look the task up later by its id",
                    reason="timeout",
                    query_id=task,
                )
            time.sleep(pause)
            pause = min(pause * POLL_GROWTH, LONGEST_POLL)

    def download(self, url: str, what: str) -> bytes:
        """A file the API links to (a mismatch report, an export): on the API's host, with the token;
        elsewhere (a signed storage link), without it."""
        headers = self._headers if url.startswith(self.settings.base) else {}
        data: bytes = self.http.call("GET", url, headers=headers, what=what, expect="bytes")
        return data

    # -- exports -----------------------------------------------------------------------------------
    def export(self, what: str) -> bytes:
        """Run one export task and download its CSV."""
        answer = self.http.call(
            "POST", self.url(self.settings.export_path), headers=self._headers, what=what, safe=False, json={}
        )
        task = str(answer.get(wire.TASK_ID)) if isinstance(answer, dict) and wire.TASK_ID in answer else None
        if task is None:
            raise InternalError(f"{what}: the answer names no task id ({str(answer)[:200]})")
        status = self.wait_task(self.settings.export_task_path, task, what)
        link = status.get(wire.DOWNLOAD_URL)
        if status.get(wire.RESULT) == wire.FAILED or not isinstance(link, str):
            raise OperationalError(f"{what}: export task {task} failed: {orjson.dumps(status).decode()[:300]}")
        return self.download(link, f"{what}: downloading export {task}")

    # -- the member list ---------------------------------------------------------------------------
    def member_pages(self, params: dict[str, str], what: str) -> Iterator[list[dict[str, Any]]]:
        """The member list's pages: each answer's ``next`` is sent back as ``start``."""
        return self.pages(wire.MEMBERS, params, what)

    def pages(self, path: str, params: dict[str, str], what: str) -> Iterator[list[dict[str, Any]]]:
        """A list's pages (members, segments, tags): each answer's ``next`` is sent back as ``start``."""
        query = dict(params)
        while True:
            page = self.http.call("GET", self.url(path), params=query, headers=self._headers, what=what)
            if not isinstance(page, dict) or not isinstance(page.get(wire.RESULTS), list):
                raise InternalError(f"{what}: a page is not {{results: [...], next: ...}}")
            yield page[wire.RESULTS]
            cursor = page.get(wire.NEXT)
            if not cursor:
                return
            query[wire.START] = str(cursor)

    def close(self) -> None:
        self.http.close()
