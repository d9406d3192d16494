"""Customer.io Data Pipelines as a SQL sink: ``cdpdb.connect(backend="customerio")``.

Write-only tables ``identify``, ``track``, ``page``, ``screen``, ``group`` and ``alias``; see
docs/customerio.md."""
