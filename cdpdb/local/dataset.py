"""A deterministic, realistic Customer Data Platform dataset, generated column by column.

One seed and one ``scale`` (the number of source contacts) fix every value, so tests can compare
results across runs and machines. Sizes follow the scale: orders ≈ 3×, email engagements ≈ 5×.
Everything is vectorised (numpy + pyarrow compute); a million rows take about a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.local.catalog import CIO, DLO, DMO, Column, Entity, Relationship

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
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.org", "acme.co", "web.de")
GENDERS = ("Female", "Male", "Non-binary", "Unknown")
ORDER_STATUSES = ("Completed", "Shipped", "Processing", "Cancelled", "Returned")
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD")
ENGAGEMENT_ACTIONS = ("Send", "Open", "Click", "Bounce", "Unsubscribe")
ACTION_WEIGHTS = (50, 30, 12, 5, 3)
DATA_SOURCE = "Salesforce_Home"
EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z
SPAN_US = 3 * 365 * 86_400 * 1_000_000

DEFAULT_DATASPACE = "default"
MARKETING_DATASPACE = "marketing"
ALL_SPACES = frozenset({DEFAULT_DATASPACE, MARKETING_DATASPACE})
DEFAULT_ONLY = frozenset({DEFAULT_DATASPACE})


@dataclass
class GeneratedObject:
    entity: Entity
    table: pa.Table | None  # None for calculated insights, which are computed by SQL
    derived_sql: str | None = None


class _Gen:
    """Vectorised value makers sharing one random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def pick(self, pool, n: int, weights=None) -> pa.Array:
        p = None if weights is None else np.asarray(weights, float) / sum(weights)
        return pa.array(pool).take(pa.array(self.rng.choice(len(pool), n, p=p)))

    def nulls(self, array: pa.Array, fraction: float) -> pa.Array:
        if fraction <= 0:
            return array
        mask = pa.array(self.rng.random(len(array)) < fraction)
        return pc.if_else(mask, pa.scalar(None, array.type), array)

    def timestamps(self, n: int) -> pa.Array:
        # Skew towards recent activity: squared uniform, mirrored.
        u = 1.0 - self.rng.random(n) ** 2
        micros = (EPOCH_US + (u * SPAN_US).astype(np.int64)) // 1000 * 1000
        return pa.array(micros, pa.timestamp("us", tz="UTC"))

    def dates(self, start: str, end: str, n: int) -> pa.Array:
        lo, hi = np.datetime64(start, "D").astype(int), np.datetime64(end, "D").astype(int)
        return pa.array(self.rng.integers(lo, hi, n).astype(np.int32), pa.date32())

    def money(self, n: int, mean: float) -> pa.Array:
        cents = np.round(self.rng.lognormal(np.log(mean), 0.9, n) * 100).astype(np.int64)
        return _cents_to_decimal(cents, 18, 2)

    def bools(self, n: int, p_true: float) -> pa.Array:
        return pa.array(self.rng.random(n) < p_true)


def _cents_to_decimal(cents: np.ndarray, precision: int, scale: int) -> pa.Array:
    text = pc.binary_join_element_wise(
        pa.array(cents // 100).cast(pa.string()),
        pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0"),
        ".",
    )
    return text.cast(pa.decimal128(precision, scale))


def _ids(prefix: str, n: int, start: int = 1) -> pa.Array:
    digits = pc.utf8_lpad(pa.array(np.arange(start, start + n)).cast(pa.string()), 9, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _concat(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _table(entity: Entity, arrays: dict[str, pa.Array]) -> pa.Table:
    return pa.table({c.name: arrays[c.name] for c in entity.columns})


def _col(name, sql_type, business=None, nullable=True, **kw) -> Column:
    return Column(name, sql_type, nullable=nullable, business_type=business, **kw)


def generate(scale: int = 1000, seed: int = 42) -> list[GeneratedObject]:
    """Build every object of the standard dataset for ``scale`` source contacts."""
    g = _Gen(seed)
    n = max(int(scale), 10)
    objects: list[GeneratedObject] = []

    # -- source contacts (a DLO), then the Individual DMO mapped from it ----------------------
    first = g.pick(FIRST_NAMES, n)
    last = g.pick(LAST_NAMES, n)
    country = g.pick(COUNTRIES, n, COUNTRY_WEIGHTS)
    individual_ids = _ids("IND", n)
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
            _col("ContactId__c", "text", "Text", nullable=False),
            _col("FirstName__c", "text", "Text"),
            _col("LastName__c", "text", "Text"),
            _col("MailingCountry__c", "text", "Text"),
            _col("Birthdate__c", "date", "Date"),
            _col("CreatedDate__c", "timestamptz", "DateTime"),
            _col("DataSourceObject__c", "text", "Text"),
        ),
        primary_keys=("ContactId__c",),
        display_name="CRM Contact",
        dataspaces=ALL_SPACES,
    )
    objects.append(
        GeneratedObject(
            contact,
            _table(
                contact,
                {
                    "ContactId__c": _ids("003", n),
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
            _col("ssot__Id__c", "text", "Text", nullable=False),
            _col("ssot__FirstName__c", "text", "Text"),
            _col("ssot__LastName__c", "text", "Text"),
            _col("ssot__BirthDate__c", "date", "Date"),
            _col("ssot__GenderId__c", "text", "Text"),
            _col("ssot__CountryId__c", "text", "Text"),
            _col("ssot__AnnualIncome__c", "numeric(18,2)", "Currency"),
            _col("ssot__ChildrenCount__c", "bigint", "Number"),
            _col("ssot__EngagementScore__c", "double precision", "Percent"),
            _col("ssot__HasOptedOutSolicit__c", "boolean", "Boolean"),
            _col("ssot__CreatedDate__c", "timestamptz", "DateTime"),
            _col("ssot__DataSourceId__c", "text", "Text"),
            _col("ssot__DataSourceObjectId__c", "text", "Text"),
            _col("KQ_Id__c", "text", "Text"),
        ),
        primary_keys=("ssot__Id__c",),
        display_name="Individual",
        dataspaces=ALL_SPACES,
    )
    objects.append(
        GeneratedObject(
            individual,
            _table(
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
                    "KQ_Id__c": _ids("003", n),
                },
            ),
        )
    )

    # -- contact points -------------------------------------------------------------------------
    email_owner = np.sort(np.concatenate([np.arange(n), g.rng.choice(n, n // 5)]))
    email_owner = email_owner[g.rng.random(len(email_owner)) > 0.04]
    m = len(email_owner)
    owner = pa.array(email_owner)
    local_part = _concat(
        pc.utf8_lower(first.take(owner)),
        pa.scalar("."),
        pc.utf8_lower(last.take(owner)),
        pa.array(g.rng.integers(1, 999, m)).cast(pa.string()),
    )
    local_part = pc.replace_substring(pc.replace_substring(local_part, " ", ""), "'", "")
    email_address = _concat(local_part, pa.scalar("@"), g.pick(DOMAINS, m))
    email = Entity(
        "ssot__ContactPointEmail__dlm",
        DMO,
        "Profile",
        (
            _col("ssot__Id__c", "text", "Text", nullable=False),
            _col("ssot__EmailAddress__c", "text", "Email"),
            _col("ssot__PartyId__c", "text", "Text"),
            _col("ssot__IsPrimary__c", "boolean", "Boolean"),
            _col("ssot__CreatedDate__c", "timestamptz", "DateTime"),
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
            _table(
                email,
                {
                    "ssot__Id__c": _ids("CPE", m),
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
            _col("ssot__Id__c", "text", "Text", nullable=False),
            _col("ssot__TelephoneNumber__c", "text", "Phone"),
            _col("ssot__FormattedE164PhoneNumber__c", "text", "Phone"),
            _col("ssot__PartyId__c", "text", "Text"),
            _col("ssot__CountryId__c", "text", "Text"),
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
    pretty = _concat(
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
            _table(
                phone,
                {
                    "ssot__Id__c": _ids("CPP", k),
                    "ssot__TelephoneNumber__c": g.nulls(pretty, 0.05),
                    "ssot__FormattedE164PhoneNumber__c": g.nulls(_concat(pa.scalar("+1"), national), 0.1),
                    "ssot__PartyId__c": individual_ids.take(pa.array(phone_owner)),
                    "ssot__CountryId__c": country.take(pa.array(phone_owner)),
                },
            ),
        )
    )

    # -- sales orders: the table with every Data Cloud type, each with nulls ---------------------
    orders = 3 * n
    # A few customers place most orders: index = n·u³ is heavily skewed towards low indices.
    buyer = pa.array((n * g.rng.random(orders) ** 3).astype(np.int64))
    order_ts = g.timestamps(orders)
    order_dlo = Entity(
        "Ecommerce_Order__dll",
        DLO,
        "Engagement",
        (
            _col("OrderNumber__c", "text", "Text", nullable=False),
            _col("CustomerEmail__c", "text", "Email"),
            _col("OrderTotal__c", "numeric(18,2)", "Currency"),
            _col("OrderedAt__c", "timestamptz", "DateTime"),
        ),
        primary_keys=("OrderNumber__c",),
        display_name="Ecommerce Order",
        dataspaces=DEFAULT_ONLY,
    )
    totals = g.money(orders, 80)
    objects.append(
        GeneratedObject(
            order_dlo,
            _table(
                order_dlo,
                {
                    "OrderNumber__c": _ids("ORD", orders),
                    "CustomerEmail__c": g.nulls(
                        _concat(pc.utf8_lower(individual_ids.take(buyer)), pa.scalar("@"), g.pick(DOMAINS, orders)), 0.1
                    ),
                    "OrderTotal__c": totals,
                    "OrderedAt__c": order_ts,
                },
            ),
        )
    )
    sales = Entity(
        "ssot__SalesOrder__dlm",
        DMO,
        "Engagement",
        (
            _col("ssot__Id__c", "text", "Text", nullable=False),
            _col("ssot__SoldToCustomerId__c", "text", "Text"),
            _col("ssot__OrderStartDate__c", "timestamptz", "DateTime"),
            _col("ssot__OrderDeliveredDate__c", "date", "Date"),
            _col("ssot__GrandTotalAmount__c", "numeric(18,2)", "Currency"),
            _col("ssot__TotalProductQuantity__c", "bigint", "Number"),
            _col("ssot__DiscountRate__c", "double precision", "Percent"),
            _col("ssot__IsGift__c", "boolean", "Boolean"),
            _col("ssot__SalesOrderStatusId__c", "text", "Text"),
            _col("ssot__OrderCurrencyIsoCode__c", "text", "Text"),
        ),
        primary_keys=("ssot__Id__c",),
        relationships=(
            Relationship(
                "ssot__SalesOrder__dlm", "ssot__Individual__dlm", "ssot__SoldToCustomerId__c", "ssot__Id__c", "NTOONE"
            ),
        ),
        display_name="Sales Order",
        dataspaces=DEFAULT_ONLY,
    )
    delivered_days = pa.array(g.rng.integers(1, 14, orders))
    delivered = pc.add(pc.cast(pc.cast(order_ts, pa.date32()), pa.int32()), pc.cast(delivered_days, pa.int32()))
    objects.append(
        GeneratedObject(
            sales,
            _table(
                sales,
                {
                    "ssot__Id__c": _ids("SO", orders),
                    "ssot__SoldToCustomerId__c": g.nulls(individual_ids.take(buyer), 0.01),
                    "ssot__OrderStartDate__c": g.nulls(order_ts, 0.01),
                    "ssot__OrderDeliveredDate__c": g.nulls(delivered.cast(pa.date32()), 0.2),
                    "ssot__GrandTotalAmount__c": g.nulls(totals, 0.02),
                    "ssot__TotalProductQuantity__c": g.nulls(pa.array(1 + g.rng.poisson(1.5, orders)), 0.02),
                    "ssot__DiscountRate__c": g.nulls(pa.array(np.round(g.rng.beta(1, 8, orders), 4)), 0.4),
                    "ssot__IsGift__c": g.nulls(g.bools(orders, 0.08), 0.1),
                    "ssot__SalesOrderStatusId__c": g.nulls(g.pick(ORDER_STATUSES, orders, (70, 12, 8, 6, 4)), 0.01),
                    "ssot__OrderCurrencyIsoCode__c": g.nulls(g.pick(CURRENCIES, orders, (60, 20, 10, 5, 5)), 0.01),
                },
            ),
        )
    )

    # -- email engagement (the biggest object: 5 × scale) ---------------------------------------
    events = 5 * n
    who = pa.array(g.rng.integers(0, n, events))
    engagement = Entity(
        "ssot__EmailEngagement__dlm",
        DMO,
        "Engagement",
        (
            _col("ssot__Id__c", "text", "Text", nullable=False),
            _col("ssot__IndividualId__c", "text", "Text"),
            _col("ssot__EngagementChannelActionId__c", "text", "Text"),
            _col("ssot__EngagementDateTm__c", "timestamptz", "DateTime"),
            _col("ssot__EngagementDate__c", "date", "Date"),
            _col("ssot__EmailSubjectLine__c", "text", "Text"),
            _col("ssot__IsFirstEngagement__c", "boolean", "Boolean"),
            _col("ssot__SendLatencyMs__c", "bigint", "Number"),
            _col("ssot__OpenRate__c", "double precision", "Percent"),
            _col("ssot__RevenueAttributed__c", "numeric(18,2)", "Currency"),
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
            _table(
                engagement,
                {
                    "ssot__Id__c": _ids("EE", events),
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

    # -- identity resolution: unified profiles and the links to their sources -------------------
    unified_of = np.arange(n)
    merged = g.rng.random(n) < 0.1  # 10 % of individuals merge into another profile
    unified_of[merged] = g.rng.integers(0, n, merged.sum())
    unified_of = unified_of[unified_of]  # one hop keeps the mapping idempotent
    unified_rows = np.unique(unified_of)
    unified_ids_all = _ids("UI", n)
    unified = Entity(
        "UnifiedIndividual__dlm",
        DMO,
        "Profile",
        (
            _col("ssot__Id__c", "text", "Text", nullable=False),
            _col("ssot__FirstName__c", "text", "Text"),
            _col("ssot__LastName__c", "text", "Text"),
            _col("ssot__CountryId__c", "text", "Text"),
            _col("ssot__BirthDate__c", "date", "Date"),
            _col("ssot__CreatedDate__c", "timestamptz", "DateTime"),
        ),
        primary_keys=("ssot__Id__c",),
        display_name="Unified Individual",
        dataspaces=ALL_SPACES,
    )
    rows = pa.array(unified_rows)
    objects.append(
        GeneratedObject(
            unified,
            _table(
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
            _col("ssot__Id__c", "text", "Text", nullable=False),
            _col("SourceRecordId__c", "text", "Text"),
            _col("UnifiedRecordId__c", "text", "Text"),
            _col("ssot__DataSourceId__c", "text", "Text"),
            _col("ssot__DataSourceObjectId__c", "text", "Text"),
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
            _table(
                link,
                {
                    "ssot__Id__c": _ids("IIL", n),
                    "SourceRecordId__c": individual_ids,
                    "UnifiedRecordId__c": unified_ids_all.take(pa.array(unified_of)),
                    "ssot__DataSourceId__c": pa.array([DATA_SOURCE] * n),
                    "ssot__DataSourceObjectId__c": pa.array([f"{DATA_SOURCE}_Contact"] * n),
                },
            ),
        )
    )

    # -- calculated insights: computed by the engine from the DMOs above ------------------------
    clv = Entity(
        "Customer_Lifetime_Value__cio",
        CIO,
        None,
        (
            _col("CustomerId__c", "text", "Text", role="dimension"),
            _col("Currency__c", "text", "Text", role="dimension"),
            _col("TotalSpend__c", "numeric(38,2)", "Currency", role="measure"),
            _col("OrderCount__c", "bigint", "Number", role="measure"),
            _col("AverageDiscount__c", "double precision", "Percent", role="measure"),
            _col("LastOrderDate__c", "timestamptz", "DateTime", role="measure"),
        ),
        relationships=(
            Relationship(
                "Customer_Lifetime_Value__cio", "ssot__Individual__dlm", "CustomerId__c", "ssot__Id__c", "NTOONE"
            ),
        ),
        display_name="Customer Lifetime Value",
        partition_by="CustomerId__c",
        dataspaces=DEFAULT_ONLY,
    )
    objects.append(
        GeneratedObject(
            clv,
            None,
            (
                'SELECT "ssot__SoldToCustomerId__c", "ssot__OrderCurrencyIsoCode__c", '
                'CAST(SUM("ssot__GrandTotalAmount__c") AS numeric(38,2)), COUNT(*), '
                'AVG("ssot__DiscountRate__c"), MAX("ssot__OrderStartDate__c") '
                'FROM "ssot__SalesOrder__dlm" WHERE "ssot__SoldToCustomerId__c" IS NOT NULL GROUP BY 1, 2'
            ),
        )
    )
    monthly = Entity(
        "Email_Engagement_Monthly__cio",
        CIO,
        None,
        (
            _col("IndividualId__c", "text", "Text", role="dimension"),
            _col("EngagementMonth__c", "date", "Date", role="dimension"),
            _col("Opens__c", "bigint", "Number", role="measure"),
            _col("Clicks__c", "bigint", "Number", role="measure"),
            _col("ClickThroughRate__c", "double precision", "Percent", role="measure"),
        ),
        relationships=(
            Relationship(
                "Email_Engagement_Monthly__cio", "ssot__Individual__dlm", "IndividualId__c", "ssot__Id__c", "NTOONE"
            ),
        ),
        display_name="Email Engagement Monthly",
        partition_by="IndividualId__c",
        dataspaces=ALL_SPACES,
    )
    objects.append(
        GeneratedObject(
            monthly,
            None,
            (
                'SELECT "ssot__IndividualId__c", CAST(date_trunc(\'month\', "ssot__EngagementDate__c") AS date), '
                "COUNT(*) FILTER (WHERE \"ssot__EngagementChannelActionId__c\" = 'Open'), "
                "COUNT(*) FILTER (WHERE \"ssot__EngagementChannelActionId__c\" = 'Click'), "
                "CASE WHEN COUNT(*) FILTER (WHERE \"ssot__EngagementChannelActionId__c\" = 'Open') = 0 THEN NULL "
                "ELSE CAST(COUNT(*) FILTER (WHERE \"ssot__EngagementChannelActionId__c\" = 'Click') "
                "AS double precision) "
                "/ COUNT(*) FILTER (WHERE \"ssot__EngagementChannelActionId__c\" = 'Open') END "
                'FROM "ssot__EmailEngagement__dlm" WHERE "ssot__EngagementDate__c" IS NOT NULL GROUP BY 1, 2'
            ),
        )
    )
    return objects
