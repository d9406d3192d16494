"""The local Customer.io: the Data Pipelines API over HTTPS, recording every call it accepts.

>>> from cdpdb.backends.customerio.local import serve
>>> with serve() as cio:
...     print(cio.base_url, cio.connect_args())
"""

from cdpdb.backends.customerio.local.cloud import LocalCustomerIo, serve
from cdpdb.backends.customerio.local.limits import Limits

__all__ = ["Limits", "LocalCustomerIo", "serve"]
