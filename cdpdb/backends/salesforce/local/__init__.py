"""The local Data Cloud: Salesforce Data Cloud's APIs served over HTTP on the Hyper engine, built
from the emulator kit (:mod:`cdpdb.local`).

>>> from cdpdb.backends.salesforce.local import serve
>>> with serve(scale=1000) as cloud:
...     print(cloud.login_url, cloud.credentials.username)
"""

from cdpdb.backends.salesforce.local.cloud import LocalDataCloud, serve
from cdpdb.backends.salesforce.local.limits import Limits

__all__ = ["Limits", "LocalDataCloud", "serve"]
