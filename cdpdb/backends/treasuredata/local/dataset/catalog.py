"""The small lists of each parent segment: activations (syndications), funnels, predictive
segments, Profiles API tokens and journeys, in the API's shapes, deterministic by seed."""

from __future__ import annotations

import uuid
from typing import Any

from cdpdb.backends.treasuredata.local.dataset.common import ADMIN, MARKETER, USERS, Values, days_ago
from cdpdb.backends.treasuredata.local.model import Folder, Segment, iso

CONNECTIONS = (
    ("salesforce_marketing_cloud", "Salesforce Marketing Cloud"),
    ("google_ads", "Google Ads"),
    ("s3_v2", "Amazon S3"),
    ("sftp", "SFTP"),
    ("braze", "Braze"),
)
REPEAT_UNITS = ("none", "hour", "day", "week", "month", "once")
SCHEDULE_STATUSES = ("none", "inactive", "scheduled", "active")
RUN_STATUSES = ("success", "error", "running", "scheduled", None)


def activations(
    g: Values, segments: list[Segment], folders: list[Folder], per_segment: int = 3
) -> list[dict[str, Any]]:
    """``per_segment`` activations of each segment, as the folder listing answers them."""
    names = {f.id: f.name for f in folders}
    out = []
    number = 0
    for segment in segments:
        for k in range(per_segment):
            number += 1
            connection, description = CONNECTIONS[int(g.rng.integers(len(CONNECTIONS)))]
            user = USERS[int(g.rng.integers(len(USERS)))]
            created = days_ago(float(g.rng.uniform(30, 600)))
            start = created.replace(microsecond=0) if g.rng.random() < 0.8 else None
            status = SCHEDULE_STATUSES[int(g.rng.integers(len(SCHEDULE_STATUSES)))]
            template = str(700_000 + int(g.rng.integers(1, 4))) if g.rng.random() < 0.5 else None
            out.append(
                {
                    "scheduleStatus": status,
                    "runStatus": RUN_STATUSES[int(g.rng.integers(len(RUN_STATUSES)))],
                    "id": str(900_000 + number),
                    "name": f"{segment.name} to {description} #{k + 1}",
                    "segmentId": segment.id,
                    "segmentName": segment.name,
                    "folder": [{"id": segment.folder_id, "name": names.get(segment.folder_id, "")}],
                    "activationTemplateId": template,
                    "activationTemplateName": f"Template {template}" if template else None,
                    "connectionId": str(600_000 + CONNECTIONS.index((connection, description))),
                    "connectionType": connection,
                    "connectionTypeDescription": description,
                    "connectionName": f"{description} (production)",
                    "connectionValid": True,
                    "startAt": start.strftime("%Y-%m-%dT%H:%M:%S") if start else None,
                    "endOn": None,
                    "workflowProjectName": f"cdp_syndication_{900_000 + number}",
                    "workflowName": "syndication",
                    "lastExecution": None,
                    "lastRecordCount": segment.population,
                    "repeatUnit": REPEAT_UNITS[int(g.rng.integers(len(REPEAT_UNITS)))],
                    "repeatFrequency": 1,
                    "timezone": "Asia/Tokyo",
                    "updatedAt": iso(created),
                    "updatedBy": user.to_json(),
                    "createdAt": iso(created),
                    "createdBy": user.to_json(),
                    "audienceId": segment.audience_id,
                }
            )
    return out


def funnels(audience_id: str, folder_id: str, segments: list[Segment]) -> list[dict[str, Any]]:
    stages = ["Aware", "Engaged", "Purchased", "Loyal"]
    funnel_id = str(int(audience_id) * 10 + 1)
    return [
        {
            "id": funnel_id,
            "audienceId": audience_id,
            "segmentFolderId": folder_id,
            "name": "Customer lifecycle",
            "population": sum(s.population or 0 for s in segments[:1]),
            "numSyndications": 0,
            "needToRunWorkflow": False,
            "stages": [
                {
                    "id": f"{funnel_id}{i}",
                    "name": name,
                    "numSyndications": 0,
                    "audienceId": audience_id,
                    "funnelId": funnel_id,
                    "segmentFolderId": folder_id,
                    "segmentId": segments[i].id if i < len(segments) else None,
                }
                for i, name in enumerate(stages)
            ],
            "createdAt": iso(days_ago(300)),
            "updatedAt": iso(days_ago(20)),
            "createdBy": MARKETER.to_json(),
            "updatedBy": MARKETER.to_json(),
        }
    ]


def predictive_segments(audience_id: str, segments: list[Segment], columns: list[str]) -> list[dict[str, Any]]:
    base = segments[0] if segments else None
    return [
        {
            "audienceId": audience_id,
            "id": str(int(audience_id) * 10 + 5),
            "baseSegmentId": base.id if base else None,
            "segmentId": base.id if base else str(audience_id),
            "scoredSegmentId": None,
            "name": "Likely to convert",
            "categoricalAsColumnNames": columns[:2],
            "categoricalArrayAsColumnNames": [],
            "quantitativeAsColumnNames": columns[2:4],
            "accuracy": 0.81,
            "areaUnderRocCurve": 0.87,
            "gradeThresholds": [0.2, 0.4, 0.6, 0.8],
            "createdAt": iso(days_ago(120)),
            "updatedAt": iso(days_ago(7)),
        }
    ]


def tokens(
    g: Values, audience_id: str, segments: list[Segment], key_column: str, columns: list[str]
) -> list[dict[str, Any]]:
    token = uuid.UUID(int=int(g.rng.integers(0, 2**63)) << 64 | int(g.rng.integers(0, 2**63)), version=4)
    return [
        {
            "id": str(int(audience_id) * 10 + 7),
            "audienceId": audience_id,
            "token": str(token),
            "keyColumn": key_column,
            "segments": [
                {
                    "id": int(s.id),
                    "name": s.name,
                    "realtime": False,
                    "kind": s.kind,
                    "segmentFolderId": int(s.folder_id),
                    "population": s.population or 0,
                }
                for s in segments[:3]
            ],
            "attributeColumns": columns[:5],
            "v2": True,
            "createdAt": iso(days_ago(90)),
            "updatedAt": iso(days_ago(10)),
            "createdBy": ADMIN.to_json(),
            "updatedBy": ADMIN.to_json(),
        }
    ]


def journeys(audience_id: str, folder_id: str, segments: list[Segment]) -> list[dict[str, Any]]:
    """Journeys as JSON:API resources (``/entities/journeys`` answers ``{"data": [...]}``)."""
    out = []
    for i, (name, state) in enumerate((("Welcome series", "launched"), ("Win-back", "draft"))):
        journey_id = str(int(audience_id) * 10 + 8 + i)
        goal = segments[i] if i < len(segments) else None
        out.append(
            {
                "id": journey_id,
                "type": "journey",
                "attributes": {
                    "audienceId": audience_id,
                    "name": name,
                    "state": state,
                    "goal": {"name": f"Reach {goal.name}", "segmentId": goal.id, "target": None} if goal else None,
                    "createdAt": iso(days_ago(200 - 50 * i)),
                    "updatedAt": iso(days_ago(5)),
                    "launchedAt": iso(days_ago(100)) if state == "launched" else None,
                    "journeyStages": [
                        {
                            "id": f"{journey_id}{k}",
                            "name": stage,
                            "steps": None,
                            "rootStep": f"step-{k}",
                            "entryCriteria": None,
                            "milestone": None,
                            "exitCriterias": [],
                        }
                        for k, stage in enumerate(("Entry", "Nurture", "Convert"))
                    ],
                    "paused": False,
                    "pausedAt": None,
                    "allowReentry": False,
                    "reentryMode": "no_reentry",
                    "journeyBundleId": None,
                    "journeyBundleName": None,
                    "versionNumber": 1,
                    "journeyBundleDescription": None,
                    "latestExecution": None,
                },
                "relationships": {
                    "parentFolder": {"data": {"id": folder_id, "type": "folder-segment"}},
                    "createdBy": {"data": {"id": MARKETER.id, "type": "user"}},
                    "updatedBy": {"data": {"id": MARKETER.id, "type": "user"}},
                },
            }
        )
    return out
