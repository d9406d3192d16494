"""Drop-in replacements for Salesforce's Python connectors: change one import, keep the script.

- ``from cdpdb.compat.cdp_connector import SalesforceCDPConnection`` replaces
  ``from salesforcecdpconnector.connection import SalesforceCDPConnection`` (1.0.20);
- ``import cdpdb.compat.datacloud_connector as sfdc`` replaces
  ``import salesforce_datacloud_connector as sfdc`` (2.0.0b1).

These modules only name the public API; the code is in
:mod:`cdpdb.backends.salesforce.compat`. docs/migrating.md maps every call and lists every
difference.
"""
