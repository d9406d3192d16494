"""Drop-in replacements for Salesforce's own Python connectors, built on the cdpdb DB-API.

A user switches by changing one import: :mod:`cdpdb.compat.cdp_connector` stands in for
``salesforce-cdp-connector`` 1.0.20 and :mod:`cdpdb.compat.datacloud_connector` for
``salesforce-datacloud-connector`` 2.0.0b1. The code lives here, inside the Data Cloud backend,
because it knows Data Cloud (which Query API each old connector spoke, the Metadata API's
filters, how pg_catalog spells types); ``cdpdb/compat/`` only re-exports the public names.

It sits above the DB-API (it drives :class:`cdpdb.Connection` and :class:`cdpdb.Cursor`), on
the same layer as the SQLAlchemy dialect. Where the old connectors were right it behaves the
same; where they were wrong it is correct, and docs/migrating.md lists every difference.
"""
