"""THE Treasure Data CDP (Audience API) wire facts, shared by the client and the local emulator.

Sources: ../shared/reference/other-cdps.md §1 and the seed (the cdp-api 1.0.0 OpenAPI). Points
marked UNCONFIRMED are our reading, written down in docs/treasuredata.md.
"""

from __future__ import annotations

# -- Hosts and login ------------------------------------------------------------------------------
SITES = {
    "us01": "https://api-cdp.treasuredata.com",
    "jp01": "https://api-cdp.treasuredata.co.jp",
    "eu01": "https://api-cdp.eu01.treasuredata.com",
    "ap02": "https://api-cdp.ap02.treasuredata.com",
    "ap03": "https://api-cdp.ap03.treasuredata.com",
}
DEFAULT_SITE = "us01"
TRINO_HOSTS = {  # TD's Trino protocol endpoint per site (user = the API key, catalog td-presto)
    "us01": "api-presto.treasuredata.com",
    "jp01": "api-presto.treasuredata.co.jp",
    "eu01": "api-presto.eu01.treasuredata.com",
    "ap02": "api-presto.ap02.treasuredata.com",
    "ap03": "api-presto.ap03.treasuredata.com",
}  # UNCONFIRMED beyond us01: the hosts follow the CDP hosts' pattern
TRINO_CATALOG = "td-presto"
AUTH_HEADER = "Authorization"
AUTH_SCHEME = "TD1"  # Authorization: TD1 <master api key>
ACCEPT = "application/vnd.treasuredata.v1+json"  # sent by TD's own MCP server; plain JSON is answered too

# -- Paths (REST; the JSON:API ones live under /entities) -----------------------------------------
PARENT_SEGMENTS = "/audiences"
PARENT_SEGMENT = "/audiences/{audience_id}"
ATTRIBUTES = "/audiences/{audience_id}/attributes"
BEHAVIORS = "/audiences/{audience_id}/behaviors"
SEGMENTS = "/audiences/{audience_id}/segments"
SEGMENT = "/audiences/{audience_id}/segments/{segment_id}"
SEGMENT_STATISTICS = "/audiences/{audience_id}/segments/{segment_id}/statistics"
SEGMENT_SQL = "/audiences/{audience_id}/segments/query"  # rule → the SQL TD runs (format: "sql")
SEGMENT_QUERIES = "/audiences/{audience_id}/segments/queries"  # submit an asynchronous segment query
SEGMENT_QUERY = "/audiences/{audience_id}/segments/queries/{query_id}"  # its status
SEGMENT_QUERY_CUSTOMERS = "/audiences/{audience_id}/segments/queries/{query_id}/customers"  # ?page=N
SEGMENT_QUERY_KILL = "/audiences/{audience_id}/segments/queries/{query_id}/kill"
FOLDERS = "/audiences/{audience_id}/folders"
FOLDER = "/audiences/{audience_id}/folders/{folder_id}"
FOLDER_SEGMENTS = "/audiences/{audience_id}/folders/{folder_id}/segments"
ACTIVATIONS = "/audiences/{audience_id}/folders/{folder_id}/syndications"  # server-side filters, cursor paging
SEGMENT_ACTIVATIONS = "/audiences/{audience_id}/segments/{segment_id}/syndications"
FUNNELS = "/audiences/{audience_id}/funnels"
PREDICTIVE_SEGMENTS = "/audiences/{audience_id}/predictive_segments"
TOKENS = "/audiences/{audience_id}/tokens"
JOURNEYS = "/entities/journeys"
ENTITY_PARENT_SEGMENTS = "/entities/parent_segments"

# -- Asynchronous segment queries -----------------------------------------------------------------
QUERY_RUNNING, QUERY_SUCCESS, QUERY_ERROR, QUERY_KILLED = "running", "success", "error", "killed"
QUERY_STATUSES = (QUERY_RUNNING, QUERY_SUCCESS, QUERY_ERROR, QUERY_KILLED)
PAGE_ROWS, PAGE_END, PAGE_KILLED, PAGE_ERROR, PAGE_PENDING = "rows", "end", "killed", "error", "pending"
PAGE_TYPES = (PAGE_ROWS, PAGE_END, PAGE_KILLED, PAGE_ERROR, PAGE_PENDING)
SEGMENT_KINDS = {0: "batch", 1: "realtime", 2: "funnel_stage"}
DEFAULT_PAGE_SIZE = 10_000  # UNCONFIRMED: rows per /customers page when the request gives no pageSize
MAX_PAGE_SIZE = 10_000  # UNCONFIRMED

# -- Activations listing ----------------------------------------------------------------------------
ACTIVATION_FILTERS = (
    "name_include",
    "segment_name_include",
    "start_after",
    "start_before",
    "connection_type",
    "schedule_status",
    "created_by_td_user_id",
    "activation_template_id",
    "repeat_unit",
    "sorted_by",  # key:asc|desc
)
PAGE_AFTER, PAGE_SIZE = "page[after]", "page[size]"  # cursor paging; the answer has hasNext, nextPage, approximateCount

# -- Attribute types (/attributes) and the v5 segment rule ---------------------------------------
ATTRIBUTE_TYPES = ("string", "number", "timestamp", "date", "string_array", "number_array", "boolean")
RULE_TYPES = ("And", "Or", "Composite")
VALUE_CONDITION = "Value"
OPERATORS = (
    "Equal",
    "Greater",
    "GreaterEqual",
    "Less",
    "LessEqual",
    "Between",
    "In",
    "IsNull",
    "Contain",
    "StartWith",
    "EndWith",
    "Regexp",
)  # each with a "not" flag; time operators (TimeWithinPast...) are not produced by the SQL compiler

# -- Errors ---------------------------------------------------------------------------------------
# Every error answer is {"code": "...", "message": "..."} (the OpenAPI's error schema).
