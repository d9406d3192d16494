"""People: source contacts (a DLO), the Individual DMO mapped from them, and their contact points
(emails, phones). Every other family refers to these individuals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.backends.salesforce.local.catalog import DLO, DMO, Entity, Relationship
from cdpdb.backends.salesforce.local.dataset.common import (
    ALL_SPACES,
    DATA_SOURCE,
    DEFAULT_ONLY,
    DOMAINS,
    GeneratedObject,
    Values,
    col,
    concat,
    ids,
    table_of,
)

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Sofía Mateo Lucía Hugo Zoë José François "
    "Amélie Jürgen Søren Björn Łukasz Ana María Chloé Noah Emma Olivia Liam Ava Yuki Hiroshi "
    "Wei Priya Arjun Fatima Omar Aisha Kwame Chen Mei O'Neil"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Müller Schmidt Dubois Lefèvre Rossi Bianchi Novák "
    "Kowalski Nielsen Andersson Tanaka Suzuki Wang Li Zhang Patel Singh Khan Okafor O'Brien "
    "D'Angelo Van_der_Berg"
).split()
LAST_NAMES = [name.replace("_", " ") for name in LAST_NAMES]  # "Van der Berg" is one name
COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU", "JP", "IN", "BR", "MX", "ES", "IT", "NL", "SE", "ZA")
COUNTRY_WEIGHTS = (38, 12, 9, 8, 6, 5, 5, 4, 3, 3, 2, 2, 1.5, 1, 0.5)
GENDERS = ("Female", "Male", "Non-binary", "Unknown")


@dataclass(frozen=True)
class People:
    """The individuals' values other families join to or copy."""

    n: int
    first: pa.Array
    last: pa.Array
    country: pa.Array
    individual_ids: pa.Array
    created: pa.Array
    birth: pa.Array


def individuals(g: Values, n: int) -> tuple[People, list[GeneratedObject]]:
    """Source contacts, then the Individual DMO mapped from them."""
    objects: list[GeneratedObject] = []
    first = g.pick(FIRST_NAMES, n)
    last = g.pick(LAST_NAMES, n)
    country = g.pick(COUNTRIES, n, COUNTRY_WEIGHTS)
    individual_ids = ids("IND", n)
    created = g.timestamps(n)
    birth = g.nulls(g.dates("1940-01-01", "2006-12-31", n), 0.15)
    gender = g.nulls(g.pick(GENDERS, n, (48, 47, 2, 3)), 0.05)
    income = g.nulls(g.money(n, 55_000), 0.3)
    opted_out = g.nulls(g.bools(n, 0.12), 0.02)
    engagement_score = g.nulls(pa.array(np.round(g.rng.beta(2, 5, n) * 100, 3)), 0.1)
    children = g.nulls(pa.array(g.rng.poisson(1.2, n)), 0.2)

    contact = Entity(
        "CRM_Contact__dll",
        DLO,
        "Profile",
        (
            col("ContactId__c", "text", "Text", nullable=False),
            col("FirstName__c", "text", "Text"),
            col("LastName__c", "text", "Text"),
            col("MailingCountry__c", "text", "Text"),
            col("Birthdate__c", "date", "Date"),
            col("CreatedDate__c", "timestamptz", "DateTime"),
            col("DataSourceObject__c", "text", "Text"),
        ),
        primary_keys=("ContactId__c",),
        display_name="CRM Contact",
        dataspaces=ALL_SPACES,
    )
    objects.append(
        GeneratedObject(
            contact,
            table_of(
                contact,
                {
                    "ContactId__c": ids("003", n),
                    "FirstName__c": first,
                    "LastName__c": last,
                    "MailingCountry__c": country,
                    "Birthdate__c": birth,
                    "CreatedDate__c": created,
                    "DataSourceObject__c": pa.array(["Contact"] * n),
                },
            ),
        )
    )

    individual = Entity(
        "ssot__Individual__dlm",
        DMO,
        "Profile",
        (
            col("ssot__Id__c", "text", "Text", nullable=False),
            col("ssot__FirstName__c", "text", "Text"),
            col("ssot__LastName__c", "text", "Text"),
            col("ssot__BirthDate__c", "date", "Date"),
            col("ssot__GenderId__c", "text", "Text"),
            col("ssot__CountryId__c", "text", "Text"),
            col("ssot__AnnualIncome__c", "numeric(18,2)", "Currency"),
            col("ssot__ChildrenCount__c", "bigint", "Number"),
            col("ssot__EngagementScore__c", "double precision", "Percent"),
            col("ssot__HasOptedOutSolicit__c", "boolean", "Boolean"),
            col("ssot__CreatedDate__c", "timestamptz", "DateTime"),
            col("ssot__DataSourceId__c", "text", "Text"),
            col("ssot__DataSourceObjectId__c", "text", "Text"),
            col("KQ_Id__c", "text", "Text"),
        ),
        primary_keys=("ssot__Id__c",),
        display_name="Individual",
        dataspaces=ALL_SPACES,
    )
    objects.append(
        GeneratedObject(
            individual,
            table_of(
                individual,
                {
                    "ssot__Id__c": individual_ids,
                    "ssot__FirstName__c": g.nulls(first, 0.01),
                    "ssot__LastName__c": g.nulls(last, 0.01),
                    "ssot__BirthDate__c": birth,
                    "ssot__GenderId__c": gender,
                    "ssot__CountryId__c": g.nulls(country, 0.03),
                    "ssot__AnnualIncome__c": income,
                    "ssot__ChildrenCount__c": children,
                    "ssot__EngagementScore__c": engagement_score,
                    "ssot__HasOptedOutSolicit__c": opted_out,
                    "ssot__CreatedDate__c": created,
                    "ssot__DataSourceId__c": pa.array([DATA_SOURCE] * n),
                    "ssot__DataSourceObjectId__c": pa.array(["CRM_Contact"] * n),
                    "KQ_Id__c": ids("003", n),
                },
            ),
        )
    )

    return People(n, first, last, country, individual_ids, created, birth), objects


def contact_points(g: Values, people: People) -> list[GeneratedObject]:
    """Emails (some people have two, a few none) and phones (80 % of people)."""
    n, first, last, country, individual_ids = people.n, people.first, people.last, people.country, people.individual_ids
    objects: list[GeneratedObject] = []
    email_owner = np.sort(np.concatenate([np.arange(n), g.rng.choice(n, n // 5)]))
    email_owner = email_owner[g.rng.random(len(email_owner)) > 0.04]
    m = len(email_owner)
    owner = pa.array(email_owner)
    local_part = concat(
        pc.utf8_lower(first.take(owner)),
        pa.scalar("."),
        pc.utf8_lower(last.take(owner)),
        pa.array(g.rng.integers(1, 999, m)).cast(pa.string()),
    )
    local_part = pc.replace_substring(pc.replace_substring(local_part, " ", ""), "'", "")
    email_address = concat(local_part, pa.scalar("@"), g.pick(DOMAINS, m))
    email = Entity(
        "ssot__ContactPointEmail__dlm",
        DMO,
        "Profile",
        (
            col("ssot__Id__c", "text", "Text", nullable=False),
            col("ssot__EmailAddress__c", "text", "Email"),
            col("ssot__PartyId__c", "text", "Text"),
            col("ssot__IsPrimary__c", "boolean", "Boolean"),
            col("ssot__CreatedDate__c", "timestamptz", "DateTime"),
        ),
        primary_keys=("ssot__Id__c",),
        relationships=(
            Relationship(
                "ssot__ContactPointEmail__dlm", "ssot__Individual__dlm", "ssot__PartyId__c", "ssot__Id__c", "NTOONE"
            ),
        ),
        display_name="Contact Point Email",
        dataspaces=ALL_SPACES,
    )
    first_of_owner = np.concatenate([[True], email_owner[1:] != email_owner[:-1]])
    objects.append(
        GeneratedObject(
            email,
            table_of(
                email,
                {
                    "ssot__Id__c": ids("CPE", m),
                    "ssot__EmailAddress__c": g.nulls(email_address, 0.02),
                    "ssot__PartyId__c": individual_ids.take(owner),
                    "ssot__IsPrimary__c": pa.array(first_of_owner),
                    "ssot__CreatedDate__c": g.timestamps(m),
                },
            ),
        )
    )

    phone_owner = np.flatnonzero(g.rng.random(n) < 0.8)
    k = len(phone_owner)
    national = pa.array(g.rng.integers(2_000_000_000, 9_999_999_999, k)).cast(pa.string())
    phone = Entity(
        "ssot__ContactPointPhone__dlm",
        DMO,
        "Profile",
        (
            col("ssot__Id__c", "text", "Text", nullable=False),
            col("ssot__TelephoneNumber__c", "text", "Phone"),
            col("ssot__FormattedE164PhoneNumber__c", "text", "Phone"),
            col("ssot__PartyId__c", "text", "Text"),
            col("ssot__CountryId__c", "text", "Text"),
        ),
        primary_keys=("ssot__Id__c",),
        relationships=(
            Relationship(
                "ssot__ContactPointPhone__dlm", "ssot__Individual__dlm", "ssot__PartyId__c", "ssot__Id__c", "NTOONE"
            ),
        ),
        display_name="Contact Point Phone",
        dataspaces=DEFAULT_ONLY,
    )
    pretty = concat(
        pa.scalar("("),
        pc.utf8_slice_codeunits(national, 0, 3),
        pa.scalar(") "),
        pc.utf8_slice_codeunits(national, 3, 6),
        pa.scalar("-"),
        pc.utf8_slice_codeunits(national, 6, 10),
    )
    objects.append(
        GeneratedObject(
            phone,
            table_of(
                phone,
                {
                    "ssot__Id__c": ids("CPP", k),
                    "ssot__TelephoneNumber__c": g.nulls(pretty, 0.05),
                    "ssot__FormattedE164PhoneNumber__c": g.nulls(concat(pa.scalar("+1"), national), 0.1),
                    "ssot__PartyId__c": individual_ids.take(pa.array(phone_owner)),
                    "ssot__CountryId__c": country.take(pa.array(phone_owner)),
                },
            ),
        )
    )

    return objects
