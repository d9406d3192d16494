"""The route table: one list of endpoints gives both the Starlette routes and the OpenAPI paths."""

from __future__ import annotations

from starlette.responses import Response

from cdpdb.local.routetable import COMMON_ERRORS, Endpoint, Param, openapi, starlette_routes


async def handler(request) -> Response:
    return Response()


TABLE = [
    Endpoint("POST", "/items", handler, "Create", body={"type": "object"}),
    Endpoint("GET", "/items/{item_id}/parts/{part}", handler, "Part", params=(Param("part", "path", "integer"),)),
    Endpoint("DELETE", "/items/{item_id}/parts/{part}", handler, "Drop", errors=(404,)),
    Endpoint("POST", "/login", handler, "Login", body={"type": "object"}, form=True),
    Endpoint("GET", "/items/", handler, "Alias", described=False),
]


def test_every_endpoint_is_a_route_and_every_described_one_an_operation():
    routes = starlette_routes(TABLE)
    assert [(r.path, sorted(r.methods - {"HEAD"})) for r in routes] == [(e.path, [e.method]) for e in TABLE]
    spec = openapi(TABLE, "test")
    described = {(e.method.lower(), e.path) for e in TABLE if e.described}
    assert {(m, p) for p, ops in spec["paths"].items() for m in ops} == described


def test_path_parameters_come_from_the_template_typed_where_declared():
    op = openapi(TABLE, "test")["paths"]["/items/{item_id}/parts/{part}"]["get"]
    assert op["parameters"] == [
        {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "part", "in": "path", "required": True, "schema": {"type": "integer"}},
    ]


def test_bodies_errors_and_security():
    spec = openapi(TABLE, "test", security={"bearer": {"type": "http", "scheme": "bearer"}})
    create = spec["paths"]["/items"]["post"]
    assert create["requestBody"] == {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
    assert sorted(create["responses"]) == sorted(["200", *map(str, COMMON_ERRORS)])
    assert spec["paths"]["/login"]["post"]["requestBody"]["required"] is False
    assert "application/x-www-form-urlencoded" in spec["paths"]["/login"]["post"]["requestBody"]["content"]
    assert sorted(spec["paths"]["/items/{item_id}/parts/{part}"]["delete"]["responses"]) == ["200", "404"]
    assert spec["security"] == [{"bearer": []}]
