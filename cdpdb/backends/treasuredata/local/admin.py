"""The local Treasure Data's test hooks' address: not a Treasure Data API, so not in wire.py."""

ADMIN_PREFIX = "/__cdpdb"
ADMIN_HEADER = "X-Cdpdb-Admin"
