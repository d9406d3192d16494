"""Sales orders: an ecommerce DLO and the Sales Order DMO, the table with every Data Cloud type,
each with nulls; a few customers place most orders."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.backends.salesforce.local.catalog import DLO, DMO, Entity, Relationship
from cdpdb.backends.salesforce.local.dataset.common import (
    DEFAULT_ONLY,
    DOMAINS,
    GeneratedObject,
    Values,
    col,
    concat,
    ids,
    table_of,
)
from cdpdb.backends.salesforce.local.dataset.people import People

ORDER_STATUSES = ("Completed", "Shipped", "Processing", "Cancelled", "Returned")
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD")


def sales_orders(g: Values, people: People) -> list[GeneratedObject]:
    """3 × scale orders, as the DLO they were ingested into and the DMO they map to."""
    n, individual_ids = people.n, people.individual_ids
    objects: list[GeneratedObject] = []
    orders = 3 * n
    # A few customers place most orders: index = n·u³ is heavily skewed towards low indices.
    buyer = pa.array((n * g.rng.random(orders) ** 3).astype(np.int64))
    order_ts = g.timestamps(orders)
    order_dlo = Entity(
        "Ecommerce_Order__dll",
        DLO,
        "Engagement",
        (
            col("OrderNumber__c", "text", "Text", nullable=False),
            col("CustomerEmail__c", "text", "Email"),
            col("OrderTotal__c", "numeric(18,2)", "Currency"),
            col("OrderedAt__c", "timestamptz", "DateTime"),
        ),
        primary_keys=("OrderNumber__c",),
        display_name="Ecommerce Order",
        dataspaces=DEFAULT_ONLY,
    )
    totals = g.money(orders, 80)
    objects.append(
        GeneratedObject(
            order_dlo,
            table_of(
                order_dlo,
                {
                    "OrderNumber__c": ids("ORD", orders),
                    "CustomerEmail__c": g.nulls(
                        concat(pc.utf8_lower(individual_ids.take(buyer)), pa.scalar("@"), g.pick(DOMAINS, orders)), 0.1
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
            col("ssot__Id__c", "text", "Text", nullable=False),
            col("ssot__SoldToCustomerId__c", "text", "Text"),
            col("ssot__OrderStartDate__c", "timestamptz", "DateTime"),
            col("ssot__OrderDeliveredDate__c", "date", "Date"),
            col("ssot__GrandTotalAmount__c", "numeric(18,2)", "Currency"),
            col("ssot__TotalProductQuantity__c", "bigint", "Number"),
            col("ssot__DiscountRate__c", "double precision", "Percent"),
            col("ssot__IsGift__c", "boolean", "Boolean"),
            col("ssot__SalesOrderStatusId__c", "text", "Text"),
            col("ssot__OrderCurrencyIsoCode__c", "text", "Text"),
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
            table_of(
                sales,
                {
                    "ssot__Id__c": ids("SO", orders),
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

    return objects
