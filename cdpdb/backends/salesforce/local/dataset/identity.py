"""Identity resolution: unified profiles (10 % of individuals merge into another) and the links
from each source record to its unified profile."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cdpdb.backends.salesforce.local.catalog import DMO, Entity, Relationship
from cdpdb.backends.salesforce.local.dataset.common import (
    ALL_SPACES,
    DATA_SOURCE,
    GeneratedObject,
    Values,
    col,
    ids,
    table_of,
)
from cdpdb.backends.salesforce.local.dataset.people import People


def unified_profiles(g: Values, people: People) -> list[GeneratedObject]:
    n, individual_ids = people.n, people.individual_ids
    first, last, country, birth, created = people.first, people.last, people.country, people.birth, people.created
    objects: list[GeneratedObject] = []
    unified_of = np.arange(n)
    merged = g.rng.random(n) < 0.1  # 10 % of individuals merge into another profile
    unified_of[merged] = g.rng.integers(0, n, merged.sum())
    unified_of = unified_of[unified_of]  # one hop keeps the mapping idempotent
    unified_rows = np.unique(unified_of)
    unified_ids_all = ids("UI", n)
    unified = Entity(
        "UnifiedIndividual__dlm",
        DMO,
        "Profile",
        (
            col("ssot__Id__c", "text", "Text", nullable=False),
            col("ssot__FirstName__c", "text", "Text"),
            col("ssot__LastName__c", "text", "Text"),
            col("ssot__CountryId__c", "text", "Text"),
            col("ssot__BirthDate__c", "date", "Date"),
            col("ssot__CreatedDate__c", "timestamptz", "DateTime"),
        ),
        primary_keys=("ssot__Id__c",),
        display_name="Unified Individual",
        dataspaces=ALL_SPACES,
    )
    rows = pa.array(unified_rows)
    objects.append(
        GeneratedObject(
            unified,
            table_of(
                unified,
                {
                    "ssot__Id__c": unified_ids_all.take(rows),
                    "ssot__FirstName__c": first.take(rows),
                    "ssot__LastName__c": last.take(rows),
                    "ssot__CountryId__c": country.take(rows),
                    "ssot__BirthDate__c": birth.take(rows),
                    "ssot__CreatedDate__c": created.take(rows),
                },
            ),
        )
    )
    link = Entity(
        "IndividualIdentityLink__dlm",
        DMO,
        "Related",
        (
            col("ssot__Id__c", "text", "Text", nullable=False),
            col("SourceRecordId__c", "text", "Text"),
            col("UnifiedRecordId__c", "text", "Text"),
            col("ssot__DataSourceId__c", "text", "Text"),
            col("ssot__DataSourceObjectId__c", "text", "Text"),
        ),
        primary_keys=("ssot__Id__c",),
        relationships=(
            Relationship(
                "IndividualIdentityLink__dlm", "UnifiedIndividual__dlm", "UnifiedRecordId__c", "ssot__Id__c", "NTOONE"
            ),
            Relationship(
                "IndividualIdentityLink__dlm", "ssot__Individual__dlm", "SourceRecordId__c", "ssot__Id__c", "ONETOONE"
            ),
        ),
        display_name="Individual Identity Link",
        dataspaces=ALL_SPACES,
    )
    objects.append(
        GeneratedObject(
            link,
            table_of(
                link,
                {
                    "ssot__Id__c": ids("IIL", n),
                    "SourceRecordId__c": individual_ids,
                    "UnifiedRecordId__c": unified_ids_all.take(pa.array(unified_of)),
                    "ssot__DataSourceId__c": pa.array([DATA_SOURCE] * n),
                    "ssot__DataSourceObjectId__c": pa.array([f"{DATA_SOURCE}_Contact"] * n),
                },
            ),
        )
    )

    return objects
