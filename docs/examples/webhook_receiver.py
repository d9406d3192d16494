"""A webhook data action target: accepts Data Cloud's signed change events, refuses anything else.

Run: CDPDB_WEBHOOK_SECRET=... uvicorn docs.examples.webhook_receiver:app --port 8080
"""

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cdpdb.webhooks import WebhookVerificationError, verify

SECRET = os.environ.get("CDPDB_WEBHOOK_SECRET", "")
received: list[dict] = []  # where a real target would queue the events for processing


async def data_action(request: Request) -> JSONResponse:
    body = await request.body()  # the raw bytes: the signature covers them, not the parsed JSON
    try:
        payload = verify(body, request.headers, SECRET)
    except WebhookVerificationError as exc:
        return JSONResponse({"error": str(exc)}, status_code=401)
    received.extend(payload.get("events", []))
    return JSONResponse({"accepted": payload.get("count", len(payload.get("events", [])))})


app = Starlette(routes=[Route("/data-action", data_action, methods=["POST"])])
