"""An emulator's HTTP surface as data: one :class:`Endpoint` per method and path, from which both
the Starlette routes and the OpenAPI description are generated, so the two cannot drift.

A path's ``{name}`` parameters are described from the template itself (as strings unless an
endpoint declares them with another type); anything else an endpoint reads it declares.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from starlette.routing import Route

_PATH_PARAMETER = re.compile(r"{([^}:]+)}")
#: Answers any endpoint may give: a bad request, no or a bad login, an unknown id, too many requests.
COMMON_ERRORS = (400, 401, 404, 429)


@dataclass(frozen=True)
class Param:
    """A query, header or path parameter; ``kind`` is a JSON-schema type."""

    name: str
    where: str = "query"  # query | header | path
    kind: str = "string"
    required: bool = False

    def openapi(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": self.where,
            "required": self.required or self.where == "path",
            "schema": {"type": self.kind},
        }


@dataclass(frozen=True)
class Endpoint:
    """One method on one path, its handler, and what a caller may send and get back."""

    method: str
    path: str
    handler: Callable[..., Any]
    summary: str
    params: Sequence[Param] = ()
    body: dict[str, Any] | None = None  # JSON schema of the request body
    form: bool = False  # the body is form fields (and optional), not JSON (and required)
    errors: Sequence[int] = field(default=COMMON_ERRORS)
    described: bool = True  # False: served but not described (an alias of a described path)

    def path_params(self) -> list[Param]:
        declared = {p.name: p for p in self.params if p.where == "path"}
        return [declared.get(name, Param(name, "path")) for name in _PATH_PARAMETER.findall(self.path)]

    def operation(self) -> dict[str, Any]:
        error = {"content": {"application/json": {"schema": {}}}}
        op: dict[str, Any] = {
            "summary": self.summary,
            "responses": {
                "200": {"description": "ok"},
                **{str(status): {"description": HTTPStatus(status).phrase, **error} for status in self.errors},
            },
        }
        params = [*self.path_params(), *(p for p in self.params if p.where != "path")]
        if params:
            op["parameters"] = [p.openapi() for p in params]
        if self.body is not None:
            kind = "application/x-www-form-urlencoded" if self.form else "application/json"
            op["requestBody"] = {"required": not self.form, "content": {kind: {"schema": self.body}}}
        return op


def starlette_routes(endpoints: Iterable[Endpoint]) -> list[Route]:
    """One route per endpoint, in table order (Starlette answers 405 for a path served with other methods)."""
    return [Route(e.path, e.handler, methods=[e.method]) for e in endpoints]


def openapi(endpoints: Iterable[Endpoint], title: str, security: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.0 description of every described endpoint."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        if endpoint.described:
            paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = endpoint.operation()
    spec: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": title, "version": "1"}, "paths": paths}
    if security:
        spec["components"] = {"securitySchemes": security}
        spec["security"] = [{name: []} for name in security]
    return spec
