"""Creating and deleting folders on the local Treasure Data, in the REST shapes of the folder
listing, and JSON:API error objects (status, title, detail, source) on the ``/entities`` paths."""

from __future__ import annotations

from tests.backends.treasuredata.local.conftest import B2B, CUSTOMERS_JP

FOLDER_KEYS = {
    "id",
    "audienceId",
    "name",
    "description",
    "parentFolderId",
    "createdAt",
    "updatedAt",
    "createdBy",
    "updatedBy",
}


def test_create_and_delete_a_folder(http, td):
    root = td.store.parents[CUSTOMERS_JP].folder_id
    base = f"/audiences/{CUSTOMERS_JP}/folders"
    made = http.ok("POST", base, json={"name": "Campaigns 2026", "description": "spring"})
    assert set(made) == FOLDER_KEYS
    assert (made["name"], made["description"], made["parentFolderId"], made["audienceId"]) == (
        "Campaigns 2026",
        "spring",
        root,
        CUSTOMERS_JP,
    )
    assert made["createdBy"]["name"] == "Demo Admin" and made["createdAt"].endswith("Z")
    inner = http.ok("POST", base, json={"name": "April", "parentFolderId": int(made["id"])})
    assert inner["parentFolderId"] == made["id"] and inner["description"] is None
    assert made in http.ok("GET", base) and http.ok("GET", f"{base}/{inner['id']}") == inner

    duplicate = http.post(base, json={"name": "April", "parentFolderId": made["id"]})
    assert duplicate.status_code == 400 and "already has a folder named 'April'" in duplicate.json()["message"]
    busy = http.call("DELETE", f"{base}/{made['id']}")
    assert busy.status_code == 400 and busy.json() == {
        "code": "bad_request",
        "message": f"folder {made['id']} is not empty (April); move or delete those first",
    }
    assert http.ok("DELETE", f"{base}/{inner['id']}") == inner
    assert http.ok("DELETE", f"{base}/{made['id']}")["id"] == made["id"]
    assert http.get(f"{base}/{made['id']}").status_code == 404


def test_folder_refusals(http, td):
    base = f"/audiences/{CUSTOMERS_JP}/folders"
    for body, message in (
        ({}, "name must be non-empty text"),
        ({"name": " "}, "name must be non-empty text"),
        ({"name": "x", "description": 3}, "description must be text or null"),
        ({"name": "x", "parentFolderId": td.store.parents[B2B].folder_id}, "is not a folder of parent segment"),
        ({"name": "x", "parentFolderId": True}, "is not a folder of parent segment"),
    ):
        answer = http.post(base, json=body)
        assert answer.status_code == 400 and message in answer.json()["message"], (body, answer.text)
    root = td.store.parents[CUSTOMERS_JP].folder_id
    answer = http.call("DELETE", f"{base}/{root}")
    assert answer.status_code == 400 and "root folder" in answer.json()["message"]
    assert http.call("DELETE", f"{base}/999").status_code == 404
    assert http.call("POST", base, key="write", json={"name": "x"}).status_code == 403


def test_jsonapi_errors_have_title_and_source(http):
    answer = http.get("/entities/journeys", params={"folder_id": "abc"})
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [
            {
                "code": "bad_request",
                "status": "400",
                "title": "Bad Request",
                "detail": "query parameter folder_id must be an integer, not 'abc'",
                "source": {"parameter": "folder_id"},
            }
        ]
    }
    refused = http.get("/entities/journeys", params={"permission": "own"})
    assert refused.json()["errors"][0]["source"] == {"parameter": "permission"}
    rest = http.get(f"/audiences/{CUSTOMERS_JP}/funnels", params={"x": "1"}, key="nobody")
    assert rest.status_code == 401 and set(rest.json()) == {"code", "message"}  # REST paths keep {code, message}
