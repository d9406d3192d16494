"""THE Salesforce Data Cloud wire facts: paths, headers, grant types, media types, limits.

One home for what both sides of the wire must agree on: the client (auth, query protocols,
Metadata and API clients) and the local Data Cloud emulator import these names; neither spells
a path, header or grant type of its own. Sources: ../shared/reference/datacloud-api.md. The type
table is :mod:`cdpdb.backends.salesforce.types`.
"""

from __future__ import annotations

from cdpdb.core.results.arrow import ARROW_STREAM

# -- OAuth on the core (login / instance) host --------------------------------------------------
OAUTH_PREFIX = "/services/oauth2"
TOKEN_PATH = f"{OAUTH_PREFIX}/token"
REVOKE_PATH = f"{OAUTH_PREFIX}/revoke"
EXCHANGE_PREFIX = "/services/a360"
EXCHANGE_PATH = f"{EXCHANGE_PREFIX}/token"  # core token → Data Cloud token
EXCHANGE_REVOKE_PATH = f"{EXCHANGE_PREFIX}/revoke"
PASSWORD_GRANT = "password"
REFRESH_GRANT = "refresh_token"
CLIENT_CREDENTIALS_GRANT = "client_credentials"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CDP_GRANT = "urn:salesforce:grant-type:external:cdp"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"  # what the exchange says it issued
CORE_TOKEN_LIFETIME = 7200.0  # seconds; Salesforce does not say, the official clients assume two hours
AUTHORIZE_PATH = f"{OAUTH_PREFIX}/authorize"  # the browser login (web-server flow) starts here
AUTHORIZATION_CODE_GRANT = "authorization_code"
PKCE_METHOD = "S256"  # the only code_challenge_method cdpdb sends and the local Data Cloud accepts
AUTH_CODE_LIFETIME = 900.0  # seconds an authorization code stays valid (Salesforce: 15 minutes; UNCONFIRMED)
#: The scopes an External Client App needs for Data Cloud queries: ``api`` (the a360 exchange and the
#: Connect API), ``cdp_query_api`` (SQL), ``cdp_profile_api`` (Profile and Calculated Insights APIs),
#: ``refresh_token`` (browser logins that later connections reuse).
DATA_CLOUD_SCOPES = ("api", "cdp_query_api", "cdp_profile_api", "refresh_token")
QUERY_SCOPES = ("api", "cdp_query_api")  # without these no query can run
SCOPE_ALIASES = {"full": ("api", "cdp_query_api", "cdp_profile_api")}  # ``full`` implies every data scope
DEFAULT_CALLBACK_URL = "http://127.0.0.1:1717/callback"  # the browser login's loopback redirect
#: Generic login hosts: the client credentials flow is refused there and needs the org's My Domain.
GENERIC_LOGIN_HOSTS = ("login.salesforce.com", "test.salesforce.com")
#: ``error_description`` of a client credentials login sent to a generic login host (observed wording).
NOT_ON_THIS_DOMAIN = "request not supported on this domain"
# OAuth ``error`` codes the login steps tell apart (RFC 6749 §5.2 and Salesforce's own).
INVALID_GRANT, INVALID_SCOPE, INVALID_CLIENT, INVALID_CLIENT_ID = (
    "invalid_grant",
    "invalid_scope",
    "invalid_client",
    "invalid_client_id",
)
UNSUPPORTED_GRANT_TYPE, INVALID_REQUEST, ACCESS_DENIED = "unsupported_grant_type", "invalid_request", "access_denied"
DEFAULT_LOGIN_URL = "https://login.salesforce.com"
SANDBOX_LOGIN_URL = "https://test.salesforce.com"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"  # how OAuth requests carry their fields

# -- Direct APIs on the Data Cloud tenant host --------------------------------------------------
V1_QUERY_PATH = "/api/v1/query"
V2_QUERY_PATH = "/api/v2/query"
V3_PREFIX = "/api/v3"
V3_QUERY_PATH = f"{V3_PREFIX}/query"
METADATA_PATH = "/api/v1/metadata"
PROFILE_PATH = "/api/v1/profile"
INSIGHTS_PATH = "/api/v1/insight/calculated-insights"
PROFILE_METADATA_PATH = f"{PROFILE_PATH}/metadata"
INSIGHTS_METADATA_PATH = "/api/v1/insight/metadata"
PROFILE_INSIGHTS_SEGMENT = "calculated-insights"  # /profile/{model}/{id}/calculated-insights/{ci}
UNIVERSAL_ID_PATH = (
    "/api/v1/universalIdLookup"  # /{entity}/{DataSourceId__c}/{DataSourceObjectId__c}/{SourceRecordId__c}
)
INGEST_SOURCES_PATH = "/api/v1/ingest/sources"  # /{source}/{object}: streaming; .../actions/test: validation
INGEST_JOBS_PATH = "/api/v1/ingest/jobs"  # bulk CSV jobs; /{id}/batches: upload
INGEST_OPERATIONS = ("upsert", "delete")
INGEST_JOB_STATES = ("Open", "UploadComplete", "InProgress", "JobComplete", "Failed", "Aborted")
INGEST_FINAL_STATES = ("JobComplete", "Failed", "Aborted")
TIME_GRANULARITIES = ("HOUR", "DAY", "MONTH", "QUARTER", "YEAR")  # timeGranularity of the CI APIs (API 53.0+)
METADATA_ENTITY_NAME, METADATA_ENTITY_CATEGORY, METADATA_ENTITY_TYPE = "entityName", "entityCategory", "entityType"

# -- Connect REST API on the core instance host -------------------------------------------------
CONNECT_PREFIX = "/services/data"
CONNECT_API_VERSION = "v64.0"


def connect_query_path(version: str) -> str:
    return f"{CONNECT_PREFIX}/{version}/ssot/query-sql"


def connect_data_spaces_path(version: str) -> str:
    """The data spaces of the org: ``{"dataSpaces": [{"name", "label", "status", ...}], "totalSize"}``.
    Not in the reference's sources; seen in use by Salesforce CLI scripts (UNCONFIRMED)."""
    return f"/services/data/{version}/ssot/data-spaces"


#: The Connect query-sql query parameter naming the workload (resource group) a query runs in:
#: Salesforce's 2.0.0b1 connector sends ``?workload=`` (sfdx-hardis spells it ``workloadName``; UNCONFIRMED
#: which the server honours, so the local Data Cloud accepts both and echoes the one it used).
CONNECT_WORKLOAD_PARAM = "workload"
CONNECT_WORKLOAD_ALIASES = ("workload", "workloadName")

# -- The Salesforce CLI (``sf``) whose logins cdpdb can reuse ---------------------------------
SF_EXECUTABLE = "sf"


def sf_org_display(alias: str) -> list[str]:
    """``sf org display --target-org ALIAS --json``: ``result.accessToken``, ``result.instanceUrl``."""
    return [SF_EXECUTABLE, "org", "display", "--target-org", alias, "--json"]


# -- Headers ------------------------------------------------------------------------------------
DATASPACE_HEADER = "ctx-dataspace-ds_name"  # Direct APIs (V3, Metadata, Profile)
CONNECT_DATASPACE_HEADER = "dataspace"  # Connect API
DATASPACE_PARAM = "dataspace"  # the query parameter (and Connect body field) naming the dataspace
ARROW_STREAM_HEADER = "enable-arrow-stream"  # V1/V2: base64 Arrow in the JSON answer
STATUS_HEADER = "x-hyperdb-status"  # V3: the query status of an ADAPTIVE/ASYNC answer
REQUEST_ID_HEADERS = ("x-request-id", "x-trace-id", "sforce-call-id")
ARROW_MEDIA_TYPE = ARROW_STREAM  # V3 answers and chunks with Accept: this type

# -- Limits -------------------------------------------------------------------------------------
V1_MAX_ROWS = 49_999  # rows of one V1 page
V1_MAX_ORDERBY_CHARS = 4_000  # the orderby travels in the query string
V2_BATCH_BYTES = 8 * 1024 * 1024  # about this much JSON per V2 batch
V3_BYTE_LIMIT = 20_000_000  # a V3 page's byteLimit when the request gives none
V3_INLINE_BYTES = V3_BYTE_LIMIT  # results up to this size come back in the first V3 call (the documented maximum)
V3_MAX_BYTE_LIMIT = 20_971_520  # the largest byteLimit a V3 request may ask for (20 MiB)
V3_CHUNK_ROWS = 100_000  # rows of one V3 chunk
CONNECT_PAGE_BYTES = 2 * 1024 * 1024  # about this much JSON per Connect rows page
MAX_CONCURRENT_REQUESTS = 15  # more at once are refused with 429 and Retry-After
ADAPTIVE_WAIT_SECONDS = 5.0  # how long V3 ADAPTIVE and Connect submits wait before answering "running"
MAX_WAIT_MS = 10_000  # the longest long-poll a status call may ask for (waitTimeMs)
PROFILE_MAX_ROWS = 4_999  # limit of one Profile or Calculated Insights API call
INSIGHT_MAX_DIMENSIONS = 10  # per Calculated Insights API call
INSIGHT_MAX_MEASURES = 5
PROFILE_DEFAULT_LIMIT = 100  # rows of a Profile API call that gives no limit (UNCONFIRMED for the Direct API)
PROFILE_DEFAULT_FIELDS = 10  # fields of a Profile API record when the call names none ("up to 10")
UNIVERSAL_ID_MAX_ROWS = 49_999  # rows of one Universal ID Lookup answer
INGEST_STREAM_MAX_BYTES = 200_000  # a streaming payload must be smaller than 200 KB (taken as 200,000 bytes)
INGEST_BULK_MAX_FILES = 100  # CSV files per bulk job
INGEST_BULK_MAX_FILE_BYTES = 150 * 1024 * 1024  # each at most 150 MB
DEFAULT_DATASPACE = "default"
NUMERIC_DIGITS = 38  # NUMERIC (Hyper's): at most 38 digits, at most 38 of them after the point
BIGINT_RANGE = (-(2**63), 2**63 - 1)

# -- V1/V2 metadata type names ------------------------------------------------------------------
#: How V1/V2 metadata spells each type of :mod:`cdpdb.backends.salesforce.types` (by its canonical
#: V3 name), with its ``typeCode`` (java.sql.Types).
LEGACY_TYPE_NAMES = {
    "Varchar": ("VARCHAR", 12),
    "Numeric": ("DECIMAL", 3),
    "BigInt": ("BIGINT", -5),
    "Integer": ("INTEGER", 4),
    "SmallInt": ("SMALLINT", 5),
    "Float": ("REAL", 7),
    "Double": ("DOUBLE", 8),
    "Boolean": ("BOOLEAN", 16),
    "Date": ("DATE", 91),
    "Time": ("TIME", 92),
    "Timestamp": ("TIMESTAMP", 93),
    "TimestampTZ": ("TIMESTAMP WITH TIME ZONE", 93),
    "Bytes": ("VARBINARY", -3),
}
