"""An OpenAPI 3 description of the local Data Cloud's routes (for fuzzing and documentation)."""

from __future__ import annotations

from functools import cache

_ERROR = {"description": "error", "content": {"application/json": {"schema": {}}}}


def _op(summary: str, *, body: dict | None = None, params: list | None = None, form: bool = False) -> dict:
    op: dict = {
        "summary": summary,
        "responses": {"200": {"description": "ok"}, "400": _ERROR, "401": _ERROR, "404": _ERROR, "429": _ERROR},
    }
    if params:
        op["parameters"] = params
    if body is not None:
        kind = "application/x-www-form-urlencoded" if form else "application/json"
        op["requestBody"] = {"required": not form, "content": {kind: {"schema": body}}}
    return op


def _q(name: str, kind: str = "string", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}}


def _p(name: str, kind: str = "string") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


_SQL = {"type": "object", "required": ["sql"], "properties": {"sql": {"type": "string"}}}
_PARAMETER = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "name": {"type": "string"},
        "type": {
            "type": "string",
            "enum": ["varchar", "bigint", "numeric", "double", "boolean", "date", "timestamptz"],
        },
        "value": {},
    },
}
_V3 = {
    "type": "object",
    "required": ["sql"],
    "properties": {
        "sql": {"type": "string"},
        "transferMode": {"type": "string", "enum": ["ADAPTIVE", "ASYNC"]},
        "paramStyle": {"type": "string", "enum": ["QUESTION_MARK", "NAMED", "DOLLARED"]},
        "parameters": {"type": "array", "items": _PARAMETER},
        "resultRange": {
            "type": "object",
            "properties": {"rowLimit": {"type": "integer"}, "byteLimit": {"type": "integer"}},
        },
        "queryRowLimit": {"type": "integer"},
    },
}
_CONNECT = {
    "type": "object",
    "required": ["sql"],
    "properties": {
        "sql": {"type": "string"},
        "rowLimit": {"type": "integer"},
        "sqlParameters": {"type": "array", "items": _PARAMETER},
        "dataspace": {"type": "string"},
    },
}
_LIMITS = {
    "type": "object",
    "properties": {
        **{
            k: {"type": "number", "minimum": 0}
            for k in ("latency_ms", "retry_after_seconds", "query_seconds", "adaptive_wait_seconds")
        },
        **{
            k: {"type": "integer", "minimum": 0}
            for k in ("max_concurrent", "v1_max_rows", "v2_batch_bytes", "v3_chunk_rows", "v3_max_byte_limit")
        },
        "v2_batch_rows": {"type": "integer", "minimum": 1, "nullable": True},
        "page_rows": {"type": "integer", "minimum": 1, "nullable": True},
    },
    "additionalProperties": False,
}
_FAULT = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": ["status", "reset", "html", "malformed", "slow", "delay"]},
        "count": {"type": "integer", "minimum": -1},
        "path": {"type": "string"},
        "method": {"type": "string", "nullable": True},
        "skip": {"type": "integer", "minimum": 0},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "retry_after": {"type": "number", "minimum": 0, "nullable": True},
        "seconds": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "additionalProperties": False,
}
_ADMIN_FAULTS = {"type": "object", "properties": {"limits": _LIMITS, "faults": {"type": "array", "items": _FAULT}}}
_ADMIN_EXECUTE = {
    "type": "object",
    "required": ["sql"],
    "properties": {
        "sql": {"type": "string"},
        "dataspace": {"type": "string"},
        "parameters": {
            "oneOf": [
                {"type": "array", "items": {}},
                {"type": "object", "additionalProperties": {}},
            ]
        },
    },
}
_ADMIN_EXPIRE = {"type": "object", "properties": {"tokens": {"type": "boolean"}, "results": {"type": "boolean"}}}
_ADMIN_KEY = {"name": "X-Cdpdb-Admin", "in": "header", "required": True, "schema": {"type": "string"}}
_FORM = {
    "type": "object",
    "properties": {
        k: {"type": "string"}
        for k in (
            "grant_type",
            "client_id",
            "client_secret",
            "username",
            "password",
            "assertion",
            "refresh_token",
            "subject_token",
            "subject_token_type",
            "dataspace",
            "token",
        )
    },
}


@cache
def spec() -> dict:
    qs = "/services/data/{version}/ssot/query-sql"
    v = _p("version")
    return {
        "openapi": "3.0.3",
        "info": {"title": "cdpdb local Data Cloud", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {
            "/services/oauth2/token": {"post": _op("OAuth token", body=_FORM, form=True)},
            "/services/oauth2/revoke": {"post": _op("Revoke a token", body=_FORM, form=True)},
            "/services/a360/token": {"post": _op("Exchange for a Data Cloud token", body=_FORM, form=True)},
            "/api/v1/query": {
                "post": _op(
                    "Query API V1", body=_SQL, params=[_q("limit", "integer"), _q("offset", "integer"), _q("orderby")]
                )
            },
            "/api/v2/query": {"post": _op("Query API V2", body=_SQL)},
            "/api/v2/query/{batch_id}": {"get": _op("Next V2 batch", params=[_p("batch_id")])},
            "/api/v3/query": {"post": _op("Query API V3 submit", body=_V3)},
            "/api/v3/query/{query_id}": {
                "get": _op("V3 status", params=[_p("query_id"), _q("waitTimeMs", "integer")]),
                "delete": _op("V3 cancel", params=[_p("query_id")]),
            },
            "/api/v3/query/{query_id}/rows": {
                "get": _op(
                    "V3 rows",
                    params=[
                        _p("query_id"),
                        _q("offset", "integer", True),
                        _q("limit", "integer"),
                        _q("byteLimit", "integer"),
                        _q("omitSchema", "boolean"),
                    ],
                )
            },
            "/api/v3/query/{query_id}/chunks/{chunk}": {
                "get": _op("V3 chunk", params=[_p("query_id"), _p("chunk", "integer"), _q("omitSchema", "boolean")])
            },
            "/api/v3/query/{query_id}/metadata": {"get": _op("V3 result schema", params=[_p("query_id")])},
            qs: {"post": _op("Connect query-sql", body=_CONNECT, params=[v])},
            qs + "/{query_id}": {
                "get": _op("Connect status", params=[v, _p("query_id"), _q("waitTimeMs", "integer")]),
                "delete": _op("Connect cancel", params=[v, _p("query_id")]),
            },
            qs + "/{query_id}/rows": {
                "get": _op(
                    "Connect rows",
                    params=[
                        v,
                        _p("query_id"),
                        _q("offset", "integer"),
                        _q("rowLimit", "integer"),
                        _q("omitSchema", "boolean"),
                    ],
                )
            },
            "/api/v1/profile/{model}": {
                "get": _op(
                    "Profile API search",
                    params=[
                        _p("model"),
                        _q("filters", required=True),
                        _q("fields"),
                        _q("limit", "integer"),
                        _q("offset", "integer"),
                        _q("orderby"),
                    ],
                )
            },
            "/api/v1/insight/calculated-insights/{ci}": {
                "get": _op(
                    "Calculated Insights API",
                    params=[
                        _p("ci"),
                        _q("dimensions"),
                        _q("measures"),
                        _q("filters"),
                        _q("limit", "integer"),
                        _q("offset", "integer"),
                        _q("orderby"),
                    ],
                )
            },
            "/api/v1/metadata": {
                "get": _op("Metadata API", params=[_q("entityType"), _q("entityCategory"), _q("entityName")])
            },
            # Test hooks (writable mode, faults, expiry), behind the admin key `cdpdb serve` prints.
            "/__cdpdb/faults": {
                "get": _op("Faults and limits now", params=[_ADMIN_KEY]),
                "post": _op("Add faults, change limits", body=_ADMIN_FAULTS, params=[_ADMIN_KEY]),
                "delete": _op("Clear faults and limits", params=[_ADMIN_KEY]),
            },
            "/__cdpdb/execute": {"post": _op("Writable mode: one DDL/DML", body=_ADMIN_EXECUTE, params=[_ADMIN_KEY])},
            "/__cdpdb/expire": {"post": _op("Expire tokens and results", body=_ADMIN_EXPIRE, params=[_ADMIN_KEY])},
        },
    }
