"""The local Data Cloud's route table: every route it serves is described in its OpenAPI
description (which the fuzz test drives), except aliases of described paths."""

from __future__ import annotations

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.openapi import spec
from cdpdb.backends.salesforce.local.routes import ROUTES


def test_the_description_covers_every_route():
    described = {(e.method.lower(), e.path) for e in ROUTES if e.described}
    assert {(method, path) for path, ops in spec()["paths"].items() for method in ops} == described
    aliases = [e for e in ROUTES if not e.described]
    assert all((e.method.lower(), e.path.rstrip("/")) in described for e in aliases), aliases


def test_each_method_and_path_is_served_once():
    served = [(e.method, e.path) for e in ROUTES]
    assert len(served) == len(set(served))


def test_the_apis_live_where_the_client_looks():
    paths = {e.path for e in ROUTES}
    for path in (wire.TOKEN_PATH, wire.EXCHANGE_PATH, wire.V1_QUERY_PATH, wire.V2_QUERY_PATH, wire.V3_QUERY_PATH):
        assert path in paths
    assert wire.connect_query_path("{version}") in paths
    assert f"{wire.PROFILE_PATH}/{{model}}" in paths and f"{wire.INSIGHTS_PATH}/{{ci}}" in paths
