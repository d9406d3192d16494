"""Error bodies of the local Adobe, in the three shapes Adobe's hosts use:

- IMS: ``{"error": "invalid_client", "error_description": "..."}``;
- the API gateway (token, API key, organisation, throttling): ``{"error_code": "401013", "message": "..."}``;
- Platform services: ``{"type": "http://ns.adobe.com/aep/errors/UPS-1001-400", "status", "title", "detail"}``.
"""

from __future__ import annotations

import orjson

from cdpdb.backends.adobe import wire


def error_body(path: str, status: int, message: str, code: str | None = None) -> bytes:
    if path.startswith("/ims/"):
        return orjson.dumps({"error": code or "invalid_request", "error_description": message})
    if code is None or code.isdigit():
        return orjson.dumps({"error_code": code or f"{status}050", "message": message})
    return orjson.dumps({"type": wire.ERROR_TYPE.format(code=code), "status": status, "title": message})


def overload_body(path: str, status: int, message: str) -> bytes:
    """What the kit's fault middleware sends (429 when busy, injected statuses): the gateway's shape."""
    return error_body(path, status, message, None)
