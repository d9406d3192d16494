"""The local Crescendo Lab: the member list, contact imports and exports as tasks, over HTTPS.

>>> from cdpdb.backends.crescendolab.local import serve
>>> with serve() as crescendo:
...     print(crescendo.base_url, crescendo.connect_args())
"""

from cdpdb.backends.crescendolab.local.app import Limits
from cdpdb.backends.crescendolab.local.cloud import LocalCrescendo, serve

__all__ = ["Limits", "LocalCrescendo", "serve"]
