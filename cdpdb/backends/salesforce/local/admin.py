"""The local Data Cloud's admin path, shared by its routes and the client hook that writes
through it (test fixtures): not a Salesforce API, so not in wire.py."""

ADMIN_PATH = "/__cdpdb/execute"
ADMIN_HEADER = "X-Cdpdb-Admin"
