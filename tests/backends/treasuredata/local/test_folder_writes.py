"""Creating and deleting folders and running activations on the local Treasure Data, in the
OpenAPI's shapes, and JSON:API error objects (code, status, detail, source, meta) on ``/entities``."""

from __future__ import annotations

from tests.backends.treasuredata.local.conftest import CUSTOMERS_JP

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
        root,  # the REST create has no parent: the root folder's
        CUSTOMERS_JP,
    )
    assert made["createdBy"]["name"] == "Demo Admin" and made["createdAt"].endswith("Z")
    assert made in http.ok("GET", base) and http.ok("GET", f"{base}/{made['id']}") == made

    duplicate = http.post(base, json={"name": "Campaigns 2026", "description": ""})
    assert duplicate.status_code == 400 and "already has a folder named 'Campaigns 2026'" in duplicate.json()["message"]
    segment = http.ok(
        "POST", f"/audiences/{CUSTOMERS_JP}/segments", json={"name": "in a folder", "segmentFolderId": int(made["id"])}
    )
    busy = http.call("DELETE", f"{base}/{made['id']}")
    assert busy.status_code == 400 and busy.json() == {
        "code": "bad_request",
        "message": f"folder {made['id']} is not empty (in a folder); move or delete those first",
    }
    http.ok("DELETE", f"/audiences/{CUSTOMERS_JP}/segments/{segment['id']}")
    gone = http.call("DELETE", f"{base}/{made['id']}")
    assert (gone.status_code, gone.content) == (200, b"")  # the OpenAPI documents no body
    assert http.get(f"{base}/{made['id']}").status_code == 404


def test_folder_refusals(http, td):
    base = f"/audiences/{CUSTOMERS_JP}/folders"
    for body, message in (
        ({"description": ""}, "name must be non-empty text"),
        ({"name": " ", "description": ""}, "name must be non-empty text"),
        ({"name": "x"}, "description is required"),
        ({"name": "x", "description": 3}, "description is required"),
    ):
        answer = http.post(base, json=body)
        assert answer.status_code == 400 and message in answer.json()["message"], (body, answer.text)
    root = td.store.parents[CUSTOMERS_JP].folder_id
    answer = http.call("DELETE", f"{base}/{root}")
    assert answer.status_code == 400 and "root folder" in answer.json()["message"]
    assert http.call("DELETE", f"{base}/999").status_code == 404
    assert http.call("POST", base, key="write", json={"name": "x", "description": ""}).status_code == 403


def test_run_an_activation(http, td):
    activation = next(a for a in td.store.activations[CUSTOMERS_JP])
    segment, base = activation["segmentId"], f"/audiences/{CUSTOMERS_JP}/segments"
    run = http.ok("POST", f"{base}/{segment}/syndications/{activation['id']}/run")
    assert set(run) == {
        "workflowId",
        "workflowSessionId",
        "workflowAttemptId",
        "createdAt",
        "finishedAt",
        "status",
        "syndicationId",
    }
    assert (run["syndicationId"], run["status"], run["finishedAt"]) == (activation["id"], "running", None)
    listed = http.ok("GET", f"{base}/{segment}/syndications")
    assert next(a for a in listed if a["id"] == activation["id"])["executions"] == [run]
    other = next(s for s in td.store.of_parent(CUSTOMERS_JP) if s.id != segment)
    assert http.post(f"{base}/{other.id}/syndications/{activation['id']}/run").status_code == 404


def test_jsonapi_errors_in_the_openapi_shape(http):
    answer = http.get("/entities/journeys", params={"folder_id": "abc"})
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [
            {
                "code": "bad-parameter-error",
                "status": "400",
                "detail": "query parameter folder_id must be an integer, not 'abc'",
                "source": {"parameter": "folder_id"},
                "meta": {"parameterCode": "INVALID_FORMAT"},
            }
        ]
    }
    refused = http.get("/entities/journeys", params={"permission": "own"})
    assert refused.json()["errors"][0]["source"] == {"parameter": "permission"}
    rest = http.get(f"/audiences/{CUSTOMERS_JP}/funnels", key="nobody")
    assert rest.status_code == 401 and set(rest.json()) == {"code", "message"}  # REST paths keep {code, message}
