"""Calculated insights: computed by the engine from the DMOs, so they always agree with them."""

from __future__ import annotations

from cdpdb.backends.salesforce.local.catalog import CIO, Entity, Relationship
from cdpdb.backends.salesforce.local.dataset.common import ALL_SPACES, DEFAULT_ONLY, GeneratedObject, col


def calculated_insights() -> list[GeneratedObject]:
    objects: list[GeneratedObject] = []
    clv = Entity(
        "Customer_Lifetime_Value__cio",
        CIO,
        None,
        (
            col("CustomerId__c", "text", "Text", role="dimension"),
            col("Currency__c", "text", "Text", role="dimension"),
            col("TotalSpend__c", "numeric(38,2)", "Currency", role="measure"),
            col("OrderCount__c", "bigint", "Number", role="measure"),
            col("AverageDiscount__c", "double precision", "Percent", role="measure"),
            col("LastOrderDate__c", "timestamptz", "DateTime", role="measure"),
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
            col("IndividualId__c", "text", "Text", role="dimension"),
            col("EngagementMonth__c", "date", "Date", role="dimension"),
            col("Opens__c", "bigint", "Number", role="measure"),
            col("Clicks__c", "bigint", "Number", role="measure"),
            col("ClickThroughRate__c", "double precision", "Percent", role="measure"),
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
