"""Every error body shape TD's OpenAPI documents, read by the pure mapper (no server needed for
the shapes the local server does not produce: a conflict's object, a server error's body)."""

from __future__ import annotations

import pytest

import cdpdb
from cdpdb.backends.treasuredata.errors import error_from_response


@pytest.mark.parametrize(
    ("status", "body", "kind", "text"),
    [
        (
            400,
            {"code": "bad_request", "message": "name must be non-empty text"},
            cdpdb.ProgrammingError,
            "refused (HTTP 400): name must be non-empty text (bad_request)",
        ),
        (
            400,
            {
                "errors": [
                    {
                        "code": "validation-error",
                        "status": "400",
                        "detail": "Name has already been taken",
                        "source": {"pointer": "/attributes/name"},
                        "meta": {"validationCode": "VIOLATES_UNIQUENESS_CONSTRAINT"},
                    }
                ]
            },
            cdpdb.ProgrammingError,
            "Name has already been taken (field /attributes/name) [VIOLATES_UNIQUENESS_CONSTRAINT] (validation-error)",
        ),
        (
            403,
            {
                "errors": [
                    {
                        "code": "permission-error",
                        "status": "403",
                        "detail": "SegmentFolder View Permission Required",
                        "meta": {"permissionCode": "SEGMENT_FOLDER_VIEW_REQUIRED"},
                    }
                ]
            },
            cdpdb.OperationalError,
            "SegmentFolder View Permission Required [SEGMENT_FOLDER_VIEW_REQUIRED]",
        ),
        (
            409,
            {"errors": {"id": ["Segment is referenced by other segments: 123, 345"]}},
            cdpdb.ProgrammingError,
            "refused (HTTP 409): id: Segment is referenced by other segments: 123, 345",
        ),
        (
            500,
            {"status": 500, "error": "Internal Server Error", "details": "timeout"},
            cdpdb.InternalError,
            "failed on the server (HTTP 500): Internal Server Error (timeout)",
        ),
        (
            404,
            {"errors": [{"code": "a", "status": "404", "detail": "x"}, {"code": "b", "status": "404", "detail": "y"}]},
            cdpdb.ProgrammingError,
            "found nothing (HTTP 404): x; y (a)",
        ),
    ],
)
def test_each_documented_shape(status, body, kind, text):
    error = error_from_response(status, body, what="the call")
    assert type(error) is kind and text in str(error)
    assert error.status == status
