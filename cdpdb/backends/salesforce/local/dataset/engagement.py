"""Email engagement: sends, opens and clicks, the biggest object (5 × scale)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.backends.salesforce.local.catalog import DMO, Entity, Relationship
from cdpdb.backends.salesforce.local.dataset.common import ALL_SPACES, GeneratedObject, Values, col, ids, table_of
from cdpdb.backends.salesforce.local.dataset.people import People

ENGAGEMENT_ACTIONS = ("Send", "Open", "Click", "Bounce", "Unsubscribe")
ACTION_WEIGHTS = (50, 30, 12, 5, 3)


def email_engagement(g: Values, people: People) -> list[GeneratedObject]:
    n, individual_ids = people.n, people.individual_ids
    objects: list[GeneratedObject] = []
    events = 5 * n
    who = pa.array(g.rng.integers(0, n, events))
    engagement = Entity(
        "ssot__EmailEngagement__dlm",
        DMO,
        "Engagement",
        (
            col("ssot__Id__c", "text", "Text", nullable=False),
            col("ssot__IndividualId__c", "text", "Text"),
            col("ssot__EngagementChannelActionId__c", "text", "Text"),
            col("ssot__EngagementDateTm__c", "timestamptz", "DateTime"),
            col("ssot__EngagementDate__c", "date", "Date"),
            col("ssot__EmailSubjectLine__c", "text", "Text"),
            col("ssot__IsFirstEngagement__c", "boolean", "Boolean"),
            col("ssot__SendLatencyMs__c", "bigint", "Number"),
            col("ssot__OpenRate__c", "double precision", "Percent"),
            col("ssot__RevenueAttributed__c", "numeric(18,2)", "Currency"),
        ),
        primary_keys=("ssot__Id__c",),
        relationships=(
            Relationship(
                "ssot__EmailEngagement__dlm", "ssot__Individual__dlm", "ssot__IndividualId__c", "ssot__Id__c", "NTOONE"
            ),
        ),
        display_name="Email Engagement",
        dataspaces=ALL_SPACES,
    )
    engaged_at = g.timestamps(events)
    subjects = (
        "Your order has shipped",
        "Last chance: 20% off",
        "Welcome to the club!",
        "We miss you, {FirstName}",
        "Ünïcödé sale — ends soon",
        "Quotes \"and\" 'apostrophes'",
    )
    objects.append(
        GeneratedObject(
            engagement,
            table_of(
                engagement,
                {
                    "ssot__Id__c": ids("EE", events),
                    "ssot__IndividualId__c": individual_ids.take(who),
                    "ssot__EngagementChannelActionId__c": g.pick(ENGAGEMENT_ACTIONS, events, ACTION_WEIGHTS),
                    "ssot__EngagementDateTm__c": g.nulls(engaged_at, 0.01),
                    "ssot__EngagementDate__c": g.nulls(pc.cast(engaged_at, pa.date32()), 0.01),
                    "ssot__EmailSubjectLine__c": g.nulls(g.pick(subjects, events), 0.05),
                    "ssot__IsFirstEngagement__c": g.nulls(g.bools(events, 0.2), 0.05),
                    "ssot__SendLatencyMs__c": g.nulls(pa.array(g.rng.zipf(2.0, events).clip(max=10**9)), 0.05),
                    "ssot__OpenRate__c": g.nulls(pa.array(g.rng.random(events)), 0.05),
                    "ssot__RevenueAttributed__c": g.nulls(g.money(events, 12), 0.7),
                },
            ),
        )
    )

    return objects
