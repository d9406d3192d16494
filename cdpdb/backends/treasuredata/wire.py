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
ACTIVATION_RUN = "/audiences/{audience_id}/segments/{segment_id}/syndications/{activation_id}/run"  # → an execution
EXECUTION_STATUSES = ("success", "canceled", "error", "canceling", "blocked", "queued", "running")  # ExecutionCore
FUNNELS = "/audiences/{audience_id}/funnels"
PREDICTIVE_SEGMENTS = "/audiences/{audience_id}/predictive_segments"
TOKENS = "/audiences/{audience_id}/tokens"
JOURNEYS = "/entities/journeys"  # ?folder_id= narrows to a folder (the local server includes its subfolders)
JOURNEY_FOLDER_FILTER = "folder_id"
ENTITY_PARENT_SEGMENTS = "/entities/parent_segments"
ENTITY_PARENT_SEGMENT = "/entities/parent_segments/{id}"
ENTITIES_PREFIX = "/entities/"  # JSON:API: answers {"data": ...}, errors {"errors": [{status, title, detail, ...}]}
JSONAPI_ERRORS = "errors"  # a JSON:API error answer: {"errors": [{code, status, title, detail, source}]}
JSONAPI_MEDIA_TYPE = ACCEPT  # what /entities answers with (the OpenAPI's content type there)

# -- Settings of a connection (the client's connect() arguments; the local server's connect_args()) --
SETTING_SITE = "site"  # us01 | jp01 | eu01 | ap02 | ap03
SETTING_SITE_URL = "site_url"  # a base URL instead of a site (the local server gives one)
SETTING_APIKEY = "apikey"  # the master API key; also from CDPDB_TD_APIKEY or TD_API_KEY
SETTING_CA_BUNDLE = "ca_bundle"  # a CA file to trust (the local server's generated CA)
APIKEY_ENVIRONMENT = ("CDPDB_TD_APIKEY", "TD_API_KEY")

# -- Where a parent segment's data lives (TD's layout; the SQL of /segments/query names it) ------------
AUDIENCE_DATABASE = "cdp_audience_{audience_id}"
CUSTOMERS_TABLE = "customers"  # one row per profile, one column per attribute
BEHAVIOR_TABLE = "behavior_{name}"  # one row per event
PROFILE_KEY = "cdp_customer_id"
EVENT_TIME = "time"  # a behaviour row's unix time (seconds)

# -- Asynchronous segment queries -----------------------------------------------------------------
QUERY_RUNNING, QUERY_SUCCESS, QUERY_ERROR, QUERY_KILLED = "running", "success", "error", "killed"
QUERY_STATUSES = (QUERY_RUNNING, QUERY_SUCCESS, QUERY_ERROR, QUERY_KILLED)
PAGE_ROWS, PAGE_END, PAGE_KILLED, PAGE_ERROR, PAGE_PENDING = "rows", "end", "killed", "error", "pending"
PAGE_TYPES = (PAGE_ROWS, PAGE_END, PAGE_KILLED, PAGE_ERROR, PAGE_PENDING)
SEGMENT_KINDS = {0: "batch", 1: "realtime", 2: "funnel_stage"}
DEFAULT_PAGE_SIZE = 10_000  # UNCONFIRMED: rows per /customers page when the request gives no pageSize
MAX_PAGE_SIZE = 10_000  # UNCONFIRMED
FIRST_PAGE = 1  # /customers?page=N counts from 1 (the OpenAPI's minimum)
KIND_BATCH = 0

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
ACTIVATION_SORT_KEYS = ("name", "segment_name", "start_at", "created_at", "updated_at")  # UNCONFIRMED: sorted_by keys
ACTIVATION_SORT_FIELDS = dict(  # sorted_by key → the activation field it orders by
    zip(ACTIVATION_SORT_KEYS, ("name", "segmentName", "startAt", "createdAt", "updatedAt"), strict=True)
)
ACTIVATION_SCHEDULE_STATUSES = ("none", "inactive", "scheduled", "active")  # the OpenAPI's enum
ACTIVATION_REPEAT_UNITS = ("none", "minute", "hour", "day", "week", "month", "once")  # the OpenAPI's enum
# The OpenAPI sends connection_type repeated (connection_type=a&connection_type=b) and the other list
# filters comma-separated (style form, explode false: schedule_status=a,b).
ACTIVATION_REPEATED_FILTERS = ("connection_type",)
ACTIVATION_ITEMS, ACTIVATION_PAGINATION = "syndications", "pagination"  # {syndications, pagination: {...}}
PAGE_HAS_NEXT, PAGE_NEXT = "hasNext", "nextPage"
DEFAULT_ACTIVATION_PAGE_SIZE = 20  # UNCONFIRMED
MAX_ACTIVATION_PAGE_SIZE = 100  # UNCONFIRMED

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
# Every REST error answer is {"code": "...", "message": "..."} (the OpenAPI's error schema); the
# JSON:API paths (/entities) answer JSON:API error objects (JSONAPI_ERRORS above).
UNAUTHORIZED_MESSAGE = (
    "Unauthorized; You don't provide valid credentials. "
    "Maybe you didn't specify valid TD's Master API Key as 'TD1 {Your TD Master API Key}'."
)  # the OpenAPI's words for 401
