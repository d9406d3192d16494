"""Crescendo Lab (CAAC profiles, MAAC members) as SQL: ``cdpdb.connect(backend="crescendolab")``.

``contacts`` takes INSERT as asynchronous import tasks (omitted column = unchanged, NULL = clear)
and is read through the asynchronous CSV export; ``members`` is the MAAC member list with its
filters pushed down. See docs/crescendolab.md."""
