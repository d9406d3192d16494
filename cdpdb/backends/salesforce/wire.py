"""THE Salesforce Data Cloud wire facts: paths, headers, grant types, media types, limits.

One home for what both sides of the wire must agree on: the client (auth, query protocols,
Metadata and API clients) and the local Data Cloud emulator import these names; neither spells
a path, header or grant type of its own. Sources: ../shared/reference/datacloud-api.md. The type
table is :mod:`cdpdb.backends.salesforce.types`.
"""

from __future__ import annotations

from cdpdb.core.results.arrow import ARROW_STREAM

# -- OAuth on the core (login / instance) host --------------------------------------------------
TOKEN_PATH = "/services/oauth2/token"
REVOKE_PATH = "/services/oauth2/revoke"
EXCHANGE_PATH = "/services/a360/token"  # core token → Data Cloud token
EXCHANGE_REVOKE_PATH = "/services/a360/revoke"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CDP_GRANT = "urn:salesforce:grant-type:external:cdp"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"  # what the exchange says it issued
CORE_TOKEN_LIFETIME = 7200.0  # seconds; Salesforce does not say, the official clients assume two hours
DEFAULT_LOGIN_URL = "https://login.salesforce.com"

# -- Direct APIs on the Data Cloud tenant host --------------------------------------------------
V1_QUERY_PATH = "/api/v1/query"
V2_QUERY_PATH = "/api/v2/query"
V3_QUERY_PATH = "/api/v3/query"
METADATA_PATH = "/api/v1/metadata"
PROFILE_PATH = "/api/v1/profile"
INSIGHTS_PATH = "/api/v1/insight/calculated-insights"

# -- Connect REST API on the core instance host -------------------------------------------------
CONNECT_API_VERSION = "v64.0"


def connect_query_path(version: str) -> str:
    return f"/services/data/{version}/ssot/query-sql"


def connect_data_spaces_path(version: str) -> str:
    """The data spaces of the org: ``{"dataSpaces": [{"name", "label", "status", ...}], "totalSize"}``.
    Not in the reference's sources; seen in use by Salesforce CLI scripts (UNCONFIRMED)."""
    return f"/services/data/{version}/ssot/data-spaces"


# -- Headers ------------------------------------------------------------------------------------
DATASPACE_HEADER = "ctx-dataspace-ds_name"  # Direct APIs (V3, Metadata, Profile)
CONNECT_DATASPACE_HEADER = "dataspace"  # Connect API
ARROW_STREAM_HEADER = "enable-arrow-stream"  # V1/V2: base64 Arrow in the JSON answer
STATUS_HEADER = "x-hyperdb-status"  # V3: the query status of an ADAPTIVE/ASYNC answer
REQUEST_ID_HEADERS = ("x-request-id", "x-trace-id", "sforce-call-id")
ARROW_MEDIA_TYPE = ARROW_STREAM  # V3 answers and chunks with Accept: this type

# -- Limits -------------------------------------------------------------------------------------
V1_MAX_ROWS = 49_999  # rows of one V1 page
V1_MAX_ORDERBY_CHARS = 4_000  # the orderby travels in the query string
V3_INLINE_BYTES = 1_000_000  # results smaller than this come back in the first V3 call
MAX_WAIT_MS = 10_000  # the longest long-poll a status call may ask for (waitTimeMs)
DEFAULT_DATASPACE = "default"
NUMERIC_DIGITS = 38  # NUMERIC (Hyper's): at most 38 digits, at most 38 of them after the point
BIGINT_RANGE = (-(2**63), 2**63 - 1)
