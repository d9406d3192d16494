"""The local Treasure Data: the Audience API over HTTPS on a generated dataset in DuckDB, with
asynchronous segment queries, faults and limits from the emulator kit.

>>> from cdpdb.backends.treasuredata.local import serve
>>> with serve(scale=1000) as td:
...     print(td.site_url, td.connect_args())
"""

from cdpdb.backends.treasuredata.local.cloud import LocalTreasureData, serve
from cdpdb.backends.treasuredata.local.limits import Limits

__all__ = ["Limits", "LocalTreasureData", "serve"]
