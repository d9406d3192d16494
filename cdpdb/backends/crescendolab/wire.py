"""THE Crescendo Lab wire facts, shared by the client and the local emulator.

Sources: ../shared/reference/other-cdps.md §4 and seed 004 (the help-centre article on the
Profile API; the MAAC OpenAPI v1.1.48). The CAAC profile import/export paths are not public:
they are settings whose defaults below follow the MAAC import's task model (UNCONFIRMED, see
docs/crescendolab.md). Every point marked UNCONFIRMED is our reading.
"""

from __future__ import annotations

# -- Hosts and login ------------------------------------------------------------------------------
# TW and TH share one host, JP has its own (MAAC OpenAPI). Bearer <token>; the token is issued by
# Crescendo Lab on request (no self-service key).
REGIONS = {"tw": "https://api.cresclab.com", "th": "https://api.cresclab.com", "jp": "https://api.jp.cresclab.com"}
DEFAULT_REGION = "tw"
TOKEN_ENVIRONMENT = ("CDPDB_CRESCENDO_TOKEN",)

# -- MAAC member list (documented) ---------------------------------------------------------------
MEMBERS = "/openapi/v1/member/"
MEMBER_FILTERS = ("line_uid", "member_id", "email", "mobile", "customer_id", "status")
UPDATED_MIN, UPDATED_MAX = "updated_at_min", "updated_at_max"  # inclusive (UNCONFIRMED)
ALL_TAG = "all_tag"  # members carrying every tag named (all of them: UNCONFIRMED reading of "all")
ALL_TAG_SEPARATOR = ","  # between the names (UNCONFIRMED); names are trimmed, empty ones ignored
START, NEXT, RESULTS = "start", "next", "results"  # cursor: send the answer's ``next`` as ``start``
MEMBER_PAGE_ROWS = 300

# -- MAAC segments and tags (documented paths; list answers read like the member list's, UNCONFIRMED)
SEGMENTS = "/openapi/v1/segment/"
SEGMENT_MEMBERS = "/openapi/v1/segment/{segment_id}/members/"  # text/csv, one line_uid a line, a header
TAGS = "/openapi/v1/tag/"

# -- CAAC profile import / export (paths UNCONFIRMED: settings with these defaults) ---------------
IMPORT_PATH = "/openapi/v1/contact/import/"
IMPORT_TASK_PATH = "/openapi/v1/contact/import/{task_id}/"
EXPORT_PATH = "/openapi/v1/contact/export/"
EXPORT_TASK_PATH = "/openapi/v1/contact/export/{task_id}/"
IMPORT_KEYS = ("line_uid", "display_email", "display_mobile", "connect_id", "customer_id")
DEFAULT_IMPORT_KEY = "line_uid"
# Import body: {"import_key": KEY, "data": [{field: value|null, ...}]}; answer {"id": TASK, "result": "pending"}.
IMPORT_KEY, DATA, TASK_ID = "import_key", "data", "id"
# Task status: {"id", "status": pending|processing|done, "result": success|failed, "report": {...}}.
STATUS, RESULT, REPORT = "status", "result", "report"
PENDING, PROCESSING, DONE = "pending", "processing", "done"
SUCCESS, FAILED = "success", "failed"
# Success report: counts, and mismatched rows (applied to nobody) behind a CSV link: row,reason.
TOTAL, CREATED, UPDATED, MISMATCH, MISMATCH_LINK = (
    "total_num",
    "created_num",
    "updated_num",
    "mismatch_num",
    "mismatch_export_link",
)
# Failure report: the whole task applied nothing; each error kind lists the rows (0-based) it hit.
FAILURE_KINDS = ("blank_error", "duplicate_error", "mobile_error", "email_error", "format_error")
# Export task done: {"status": "done", "download_url": ...} (CSV, kept 7 days; data up to 24 h old).
DOWNLOAD_URL = "download_url"
EXPORT_STALE_HOURS = 24

# -- Limits (the help centre and the MAAC OpenAPI) -----------------------------------------------
MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_BYTES = 10 * 1024 * 1024
RATE_REQUESTS, RATE_WINDOW_SECONDS = 15, 60.0  # import requests per minute (UNCONFIRMED: polls not counted)
BUSY_STATUS = 409  # an import (or export) while one is running (UNCONFIRMED status)

# -- Settings of a connection (the client's connect() arguments; the local server's connect_args()) --
SETTING_BASE_URL = "base_url"
SETTING_TOKEN = "token"
SETTING_CA_BUNDLE = "ca_bundle"
SETTING_RATE_WINDOW = "rate_window_seconds"
