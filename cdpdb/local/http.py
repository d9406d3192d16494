"""Response and threading helpers every emulator's handlers share."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import orjson
from starlette.responses import Response

T = TypeVar("T")


async def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run CPU-heavy work (parsing, binding, encoding) on a worker thread, so that one big
    request never stalls the event loop every other request shares."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


class JSON(Response):
    """A JSON answer from a value (serialised by orjson) or from bytes already serialised."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)
