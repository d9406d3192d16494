"""THE Adobe Experience Platform wire facts, shared by the client and the local emulator.

Sources: ../shared/reference/other-cdps.md §2, the seed (the Real-Time Customer Profile API guide),
Adobe's IMS OAuth Server-to-Server reference (developer.adobe.com/developer-console/docs/guides/
authentication/ServerToServerAuthentication/IMS) and the entities endpoint guide
(experienceleague.adobe.com/docs/experience-platform/profile/api/entities.html). Points marked
UNCONFIRMED are our reading, written down in docs/adobe.md.
"""

from __future__ import annotations

# -- Hosts and login ------------------------------------------------------------------------------
PLATFORM_URL = "https://platform.adobe.io"
IMS_URL = "https://ims-na1.adobelogin.com"
IMS_TOKEN = "/ims/token/v3"  # POST form: grant_type=client_credentials, client_id, client_secret, scope
GRANT_CLIENT_CREDENTIALS = "client_credentials"
DEFAULT_SCOPES = "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session"
TOKEN_LIFETIME_SECONDS = 86_399  # the sample answer's expires_in (24 h)

# -- Headers every Platform call carries -----------------------------------------------------------
AUTHORIZATION = "Authorization"  # Bearer <IMS access token>
API_KEY = "x-api-key"  # the client id
ORG_ID = "x-gw-ims-org-id"  # ...@AdobeOrg
SANDBOX = "x-sandbox-name"
DEFAULT_SANDBOX = "prod"
REQUEST_ID = "x-request-id"

# -- Sandboxes and schemas ---------------------------------------------------------------------------
SANDBOXES = "/data/foundation/sandbox-management/sandboxes"  # {"sandboxes": [{name, title, state, type, isDefault}]}
SANDBOX_ACTIVE = "active"
UNION_SCHEMA = "/data/foundation/schemaregistry/tenant/schemas/{schema}__union"  # the class's union, full JSON schema
XED_FULL = "application/vnd.adobe.xed-full+json; version=1"  # Accept of the union: every field resolved inline

# -- Real-Time Customer Profile API (base /data/core/ups) ------------------------------------------
UPS = "/data/core/ups"
ENTITIES = UPS + "/access/entities"  # GET one (query), POST many (body), DELETE one
MERGE_POLICIES = UPS + "/config/mergePolicies"
MERGE_POLICY = UPS + "/config/mergePolicies/{id}"
SYSTEM_JOBS = UPS + "/system/jobs"
SYSTEM_JOB = UPS + "/system/jobs/{id}"
EXPORT_JOBS = UPS + "/export/jobs"
EXPORT_JOB = UPS + "/export/jobs/{id}"
PREVIEW_SAMPLE_STATUS = UPS + "/previewsamplestatus"
DATASET_REPORT = UPS + "/previewsamplestatus/report/dataset"
NAMESPACE_REPORT = UPS + "/previewsamplestatus/report/namespace"
COMPUTED_ATTRIBUTES = "/data/core/ca/attributes"  # outside /ups since the 2023 move

# -- The entities endpoint's parameters ---------------------------------------------------------------
PROFILE_SCHEMA = "_xdm.context.profile"
ACCOUNT_SCHEMA = "_xdm.context.account"
EVENT_SCHEMA = "_xdm.context.experienceevent"
P_SCHEMA = "schema.name"
P_ENTITY_ID = "entityId"
P_ENTITY_NS = "entityIdNS"
P_RELATED_SCHEMA = "relatedSchema.name"
P_RELATED_ENTITY_ID = "relatedEntityId"
P_RELATED_ENTITY_NS = "relatedEntityIdNS"
P_FIELDS = "fields"  # comma list of XDM paths (dotted)
P_MERGE_POLICY = "mergePolicyId"
P_START_TIME = "startTime"  # epoch ms, inclusive (UNCONFIRMED: which end is inclusive)
P_END_TIME = "endTime"  # epoch ms, exclusive (UNCONFIRMED)
P_LIMIT = "limit"  # events per page
P_ORDER_BY = "orderby"  # "timestamp" or "-timestamp"
P_START = "start"  # the page token of _page.next
ORDER_TIMESTAMP = "timestamp"
DEFAULT_EVENT_LIMIT = 1000  # the guide's default
MAX_EVENT_LIMIT = 1000  # UNCONFIRMED: the guide names no higher value
# The batch POST: {"schema": {"name"}, "fields": [...], "identities": [{"entityId", "entityIdNS": {"code"}}],
# "mergePolicyId"}; the answer maps each found profile's XID to {entityId, sources, entity, lastModifiedAt}.
BATCH_IDENTITIES = "identities"
MAX_BATCH_IDENTITIES = 100  # UNCONFIRMED: the guide gives no number; 100 per POST is our reading
IDENTITY_MAP = "identityMap"  # entity.identityMap: {namespace: [{"id": ...}]} maps a batch answer to its lookups
EVENT_TIMESTAMP = "timestamp"

# -- Lists ----------------------------------------------------------------------------------------------
PAGE = "_page"  # {"next": token or "", "count", "totalCount"...}
PAGE_NEXT = "next"
CHILDREN = "children"
LINKS = "_links"
P_PAGE_LIMIT = "limit"
MERGE_TIMESTAMP_ORDERED = "timestampOrdered"
MERGE_DATASET_PRECEDENCE = "dataSetPrecedence"
SYSTEM_JOB_STATUSES = ("NEW", "PROCESSING", "COMPLETED", "FAILED")
EXPORT_JOB_STATUSES = ("NEW", "PROCESSING", "SUCCEEDED", "FAILED")

# -- Query Service --------------------------------------------------------------------------------------
QUERY_CONNECTION_PARAMETERS = "/data/foundation/query/connection_parameters"
# Its answer (UNCONFIRMED in detail): {"version", "dbName", "connectionParameters": {"host", "port",
# "username", "password" (an expiring token), "dbName"}}.
QUERY_SERVICE_PORT = 80  # TLS on port 80, as Adobe documents
QUERY_SERVICE_DRIVER = "postgresql+psycopg"

# -- Errors ----------------------------------------------------------------------------------------------
# Platform answers errors as {"type": <URI>, "status", "title", "detail"?, "report"?}; IMS as
# {"error": code, "error_description": text}. Profile's error types end in UPS-<code>-<status> (UNCONFIRMED).
ERROR_TYPE = "http://ns.adobe.com/aep/errors/{code}"
IMS_INVALID_CLIENT = "invalid_client"
IMS_INVALID_SCOPE = "invalid_scope"
UPS_BAD_REQUEST = "UPS-1001-400"
UPS_NOT_FOUND = "UPS-1003-404"
UPS_MISSING_HEADER = "UPS-1000-400"
UPS_TOO_MANY = "UPS-1002-400"  # more identities in one batch POST than MAX_BATCH_IDENTITIES
UPS_POLICY_NOT_FOUND = "UPS-1004-404"
GATEWAY_BAD_API_KEY = "403003"
GATEWAY_THROTTLED = "429050"
PLATFORM_UNAUTHORIZED = "401013"  # the gateway's "Oauth token is not valid" code (UNCONFIRMED)
PLATFORM_FORBIDDEN = "403027"  # the gateway's "User is not authorized" code (UNCONFIRMED)

# -- Settings of a connection (connect() arguments; the local server's connect_args()) ----------------------
SETTING_CLIENT_ID = "client_id"
SETTING_CLIENT_SECRET = "client_secret"
SETTING_ORG_ID = "org_id"
SETTING_SANDBOX = "sandbox"
SETTING_PLATFORM_URL = "platform_url"
SETTING_IMS_URL = "ims_url"
SETTING_CA_BUNDLE = "ca_bundle"
