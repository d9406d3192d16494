"""Errors an emulator's handlers raise, and what must never leave the server in one.

A handler raises :class:`ApiError` with a status, a message and the backend's error code; the
backend's exception handler renders it in the shape its API documents.
"""

from __future__ import annotations

import re
import tempfile
from http import HTTPStatus
from typing import Any

#: Server file paths an engine message may carry: a database (``hyper.file:/…/default.hyper``)
#: or anything in the server's temporary folders. A caller learns nothing from them but the
#: server's layout, so they are cut out of every SQL error.
_PATHS = re.compile(
    r"(?:hyper\.file:)?" + re.escape(tempfile.gettempdir().rstrip("/")) + r"/[^\s\"'()]*|hyper\.file:[^\s\"'()]*"
)


def scrub_paths(text: str | None) -> str | None:
    return _PATHS.sub("<server file>", text) if text else text


class ApiError(Exception):
    """An HTTP error answer: ``code`` defaults to the status phrase (``NOT_FOUND``)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or HTTPStatus(status).phrase.upper().replace(" ", "_")
        self.details, self.headers = details, headers or {}
