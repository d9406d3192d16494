"""THE Customer.io Data Pipelines API wire facts, shared by the client and the local emulator.

Sources: ../shared/reference/other-cdps.md §3 and seed 003 (the vendor's Pipelines OpenAPI and
docs); the ``pk_``/``sk_`` region keys are from the official ``customerio-cdp-analytics`` code
only. Points marked UNCONFIRMED are our reading, written down in docs/customerio.md.
"""

from __future__ import annotations

import re

# -- Hosts and login ------------------------------------------------------------------------------
REGIONS = {"us": "https://cdp.customer.io", "eu": "https://cdp-eu.customer.io"}
DEFAULT_REGION = "us"
# The source's API key is the Basic username with an empty password (the documented login).
# Keys like pk_us_... / sk_eu_... go as Bearer and name their region (the official SDK's code).
REGION_KEY = re.compile(r"^(pk|sk)_(us|eu)_")
API_KEY_ENVIRONMENT = ("CDPDB_CUSTOMERIO_API_KEY",)

# -- Paths (all POST; there is nothing to read) ----------------------------------------------------
PREFIX = "/v1"
CALL_TYPES = ("identify", "track", "page", "screen", "group", "alias")
CALL_PATHS = {kind: f"{PREFIX}/{kind}" for kind in CALL_TYPES}
BATCH = f"{PREFIX}/batch"
STRICT_HEADER = "X-Strict-Mode"  # "1": real 400/401 answers instead of a permissive 200
STRICT_ON = "1"

# -- Payload fields (the Segment spec's names) ---------------------------------------------------
USER_ID, ANONYMOUS_ID, MESSAGE_ID = "userId", "anonymousId", "messageId"
TYPE, TIMESTAMP, CONTEXT, INTEGRATIONS = "type", "timestamp", "context", "integrations"
TRAITS, PROPERTIES, EVENT, NAME = "traits", "properties", "event", "name"
GROUP_ID, PREVIOUS_ID, SENT_AT = "groupId", "previousId", "sentAt"
BATCH_KEY = "batch"  # {"batch": [calls], "context"?: {...}, "integrations"?: {...}}
# The object a call type's extra fields go into (alias has none).
BAG = {"identify": TRAITS, "group": TRAITS, "track": PROPERTIES, "page": PROPERTIES, "screen": PROPERTIES}
# Fields each call type must carry besides an identity (userId or anonymousId).
REQUIRED = {"identify": (), "track": (EVENT,), "page": (), "screen": (), "group": (GROUP_ID,), "alias": (PREVIOUS_ID,)}
# alias names the new id as userId; the others need userId or anonymousId.
IDENTITY_FIELDS = (USER_ID, ANONYMOUS_ID)

# -- Limits ----------------------------------------------------------------------------------------
# "32 KB per request, 500 KB per batch and 32 KB per call inside a batch". KB read as 1,024 bytes
# (UNCONFIRMED; the official SDK caps messages at 32 KiB and its batches at 475,000 bytes).
MAX_CALL_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
RATE_REQUESTS, RATE_WINDOW_SECONDS = 3000, 3.0  # "3000 requests per 3 seconds", live and backfill alike

# -- Settings of a connection (the client's connect() arguments; the local server's connect_args()) --
SETTING_REGION = "region"
SETTING_BASE_URL = "base_url"
SETTING_API_KEY = "api_key"
SETTING_CA_BUNDLE = "ca_bundle"
