"""The local Data Cloud: Salesforce Data Cloud's query APIs served over HTTP on the Hyper engine.

>>> from cdpdb.local import serve
>>> with serve(scale=1000) as cloud:
...     print(cloud.login_url, cloud.credentials.username)
"""

from cdpdb.local.faults import Fault, FaultPlan, Limits
from cdpdb.local.server import LocalDataCloud, serve

__all__ = ["Fault", "FaultPlan", "Limits", "LocalDataCloud", "serve"]
