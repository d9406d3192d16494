"""The local Adobe's state: each sandbox's profiles (looked up by identity), events, accounts,
merge policies, computed attributes, and the two kinds of jobs, which move through their
statuses with time (``Limits.job_seconds``) whenever anyone looks."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Mapping
from typing import Any

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.dataset import ANCHOR, Profile, SandboxData, _iso, generate
from cdpdb.backends.adobe.local.merge import merged, select_fields
from cdpdb.local.errors import ApiError


class Store:
    def __init__(self, scale: int, seed: int, org_id: str) -> None:
        self.org_id = org_id
        self.sandboxes: dict[str, SandboxData] = generate(scale, seed)
        self._index: dict[tuple[str, str, str, str], str] = {}  # (sandbox, kind, ns, id) → xid
        for name, data in self.sandboxes.items():
            for kind, entities in (("profile", data.profiles), ("account", data.accounts)):
                for profile in entities.values():
                    self._index_profile(name, kind, profile)
        self.system_jobs: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in self.sandboxes}
        self.export_jobs: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in self.sandboxes}
        self._ids = itertools.count(1000)
        self.lock = threading.RLock()

    def _index_profile(self, sandbox: str, kind: str, profile: Profile) -> None:
        for ns, ids in profile.identities.items():
            for value in ids:
                self._index[(sandbox, kind, ns, value)] = profile.xid

    # -- lookups ----------------------------------------------------------------------------------

    def entities(self, sandbox: str, schema: str) -> tuple[str, dict[str, Profile]]:
        data = self.sandboxes[sandbox]
        if schema == wire.PROFILE_SCHEMA:
            return "profile", data.profiles
        if schema == wire.ACCOUNT_SCHEMA and data.has_accounts:
            return "account", data.accounts
        if schema == wire.ACCOUNT_SCHEMA:
            raise ApiError(400, f"the sandbox {sandbox} has no {schema} union schema", wire.UPS_BAD_REQUEST)
        raise ApiError(
            400,
            f"schema.name must be {wire.PROFILE_SCHEMA}, {wire.ACCOUNT_SCHEMA} or {wire.EVENT_SCHEMA}, not {schema!r}",
            wire.UPS_BAD_REQUEST,
        )

    def find(self, sandbox: str, schema: str, namespace: str, value: str) -> Profile | None:
        kind, entities = self.entities(sandbox, schema)
        xid = self._index.get((sandbox, kind, namespace, value))
        if xid is None and not namespace:
            xid = value if value in entities else None  # an XID needs no namespace
        return entities.get(xid) if xid else None

    def policy(self, sandbox: str, policy_id: Any) -> dict[str, Any]:
        policies = self.sandboxes[sandbox].merge_policies
        if policy_id is not None and not isinstance(policy_id, str):
            raise ApiError(400, "mergePolicyId is text", wire.UPS_BAD_REQUEST)
        if policy_id is None:
            return next(p for p in policies.values() if p.get("default"))
        found = policies.get(policy_id)
        if found is None:
            raise ApiError(
                404, f"merge policy {policy_id} was not found in the sandbox {sandbox}", wire.UPS_POLICY_NOT_FOUND
            )
        return found

    def answer(self, profile: Profile, policy: Mapping[str, Any], fields: list[str] | None) -> dict[str, Any]:
        entity = merged(profile.fragments, policy)
        entity["identityMap"] = {ns: [{"id": v} for v in ids] for ns, ids in profile.identities.items()}
        entity["_id"] = profile.xid
        if fields:
            entity = select_fields(entity, fields)
        return {
            "entityId": profile.xid,
            "sources": sorted({f.dataset_id for f in profile.fragments}),
            "entity": entity,
            "lastModifiedAt": _iso(max(f.timestamp for f in profile.fragments)),
        }

    def delete(self, sandbox: str, schema: str, profile: Profile) -> None:
        kind, entities = self.entities(sandbox, schema)
        with self.lock:
            entities.pop(profile.xid, None)
            for ns, ids in profile.identities.items():
                for value in ids:
                    self._index.pop((sandbox, kind, ns, value), None)

    # -- jobs ---------------------------------------------------------------------------------------

    def new_system_job(self, sandbox: str, body: Mapping[str, Any]) -> dict[str, Any]:
        dataset, batch = body.get("dataSetId"), body.get("batchId")
        if not all(v is None or isinstance(v, str) for v in (dataset, batch)):
            raise ApiError(400, "dataSetId and batchId are text", wire.UPS_BAD_REQUEST)
        if bool(dataset) == bool(batch):
            raise ApiError(400, "give exactly one of dataSetId and batchId", wire.UPS_BAD_REQUEST)
        if dataset and dataset not in self.sandboxes[sandbox].datasets:
            raise ApiError(
                404, f"dataset {dataset} is not profile-enabled in the sandbox {sandbox}", wire.UPS_NOT_FOUND
            )
        now = int(time.time() * 1000)
        job: dict[str, Any] = {
            "id": f"job-{next(self._ids)}",
            "imsOrgId": self.org_id,
            "dataSetId": dataset,
            "batchId": batch,
            "jobType": "DELETE",
            "status": "NEW",
            "createEpoch": now,
            "updateEpoch": now,
            "_started": time.monotonic(),
        }
        with self.lock:
            self.system_jobs[sandbox][job["id"]] = job
        return job

    def new_export_job(self, sandbox: str, body: Mapping[str, Any]) -> dict[str, Any]:
        destination = body.get("destination") or {}
        policy_ref, schema_ref = body.get("mergePolicy") or {}, body.get("schema") or {}
        if not isinstance(policy_ref, Mapping) or not isinstance(schema_ref, Mapping):
            raise ApiError(400, "mergePolicy and schema are objects", wire.UPS_BAD_REQUEST)
        if (
            not isinstance(destination, Mapping)
            or not isinstance(destination.get("datasetId"), str)
            or not destination.get("datasetId")
        ):
            raise ApiError(
                400,
                "destination.datasetId is required: create the dataset on the _xdm.context.profile__union schema first",
                wire.UPS_BAD_REQUEST,
            )
        policy = self.policy(sandbox, policy_ref.get("id"))
        now = _iso(int(time.time() * 1000))
        job: dict[str, Any] = {
            "id": next(self._ids),
            "jobType": "BATCH",
            "destination": dict(destination),
            "fields": body.get("fields"),
            "schema": {"name": schema_ref.get("name") or wire.PROFILE_SCHEMA},
            "mergePolicy": {"id": policy["id"], "version": policy.get("version", 1)},
            "status": "NEW",
            "requestId": f"req-{next(self._ids)}",
            "creationTime": now,
            "updateTime": now,
            "_started": time.monotonic(),
        }
        with self.lock:
            self.export_jobs[sandbox][job["id"]] = job
        return job

    def advance(self, sandbox: str, job_seconds: float) -> None:
        """Jobs move NEW → PROCESSING (half their time) → done (all of it); a finished delete
        request removes its dataset's fragments from every profile."""
        with self.lock:
            now = time.monotonic()
            for job in self.system_jobs[sandbox].values():
                self._step(job, now, job_seconds, "COMPLETED", lambda j: self._purge(sandbox, j))
            for export in self.export_jobs[sandbox].values():
                count = len(self.sandboxes[sandbox].profiles)
                self._step(
                    export,
                    now,
                    job_seconds,
                    "SUCCEEDED",
                    lambda j, n=count: j.update(metrics={"profileExportTime": {"profileInstancesCount": n}}),
                )

    @staticmethod
    def _step(job: dict[str, Any], now: float, seconds: float, done: str, finish: Any) -> None:
        if job["status"] in (done, "FAILED"):
            return
        elapsed = now - job["_started"]
        status = done if elapsed >= seconds else "PROCESSING" if elapsed >= seconds / 2 else "NEW"
        if status != job["status"]:
            job["status"] = status
            stamp = int(time.time() * 1000)
            if "updateEpoch" in job:
                job["updateEpoch"] = stamp
            else:
                job["updateTime"] = _iso(stamp)
            if status == done:
                finish(job)

    def _purge(self, sandbox: str, job: dict[str, Any]) -> None:
        dataset = job.get("dataSetId")
        if not dataset:
            return  # a batch id: the local store keeps no batches, nothing to remove
        data = self.sandboxes[sandbox]
        for profile in list(data.profiles.values()):
            profile.fragments = [f for f in profile.fragments if f.dataset_id != dataset]
            if not profile.fragments:
                self.delete(sandbox, wire.PROFILE_SCHEMA, profile)

    # -- reports --------------------------------------------------------------------------------------

    def sample_status(self, sandbox: str) -> dict[str, Any]:
        data = self.sandboxes[sandbox]
        fragments = sum(len(p.fragments) for p in data.profiles.values())
        anchor = int(ANCHOR.timestamp() * 1000)
        return {
            "numRowsToRead": len(data.profiles),
            "sampleJobRunning": False,
            "cosmosDocCount": fragments,
            "totalFragmentCount": fragments,
            "lastSuccessfulBatchTimestamp": anchor,
            "streamingDriven": False,
            "totalRows": len(data.profiles),
            "lastBatchId": "local-sample",
            "lastSampledTimestamp": anchor,
        }

    def dataset_report(self, sandbox: str) -> dict[str, Any]:
        data = self.sandboxes[sandbox]
        rows = []
        for dataset in data.datasets.values():
            count = sum(1 for p in data.profiles.values() for f in p.fragments if f.dataset_id == dataset["id"])
            rows.append({**dataset, "value": count})
        return {"reportTimestamp": ANCHOR.isoformat(), "data": [{"sandboxName": sandbox, "value": rows}]}

    def namespace_report(self, sandbox: str) -> dict[str, Any]:
        data = self.sandboxes[sandbox]
        total = max(len(data.profiles), 1)
        counts: dict[str, int] = {}
        for profile in data.profiles.values():
            for ns, ids in profile.identities.items():
                counts[ns] = counts.get(ns, 0) + len(ids)
        rows = [
            {
                "code": ns,
                "value": n,
                "fullIDsFragmentCount": n,
                "fullIDsCount": n,
                "fullIDsPercentage": round(100.0 * n / total, 2),
            }
            for ns, n in sorted(counts.items())
        ]
        return {"reportTimestamp": ANCHOR.isoformat(), "data": [{"sandboxName": sandbox, "value": rows}]}


def public(job: Mapping[str, Any]) -> dict[str, Any]:
    """A job as the API shows it (without the server's own bookkeeping)."""
    return {k: v for k, v in job.items() if not k.startswith("_")}
