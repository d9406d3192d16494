"""cdpdb: Salesforce Data Cloud (CDP, Data 360) as SQL, the Python way."""

__version__ = "0.1.0.dev0"
