"""A deterministic, realistic Customer Data Platform dataset, generated column by column.

One seed and one ``scale`` (the number of source contacts) fix every value, so tests can compare
results across runs and machines. Sizes follow the scale: orders ≈ 3×, email engagements ≈ 5×.
Everything is vectorised (numpy + pyarrow compute); a million rows take about a second.

Each family of objects is one module; they draw from one random generator in a fixed order
(:func:`generate`), so moving a family or adding one at the end keeps every value.
"""

from __future__ import annotations

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.dataset.common import MARKETING_DATASPACE, GeneratedObject, Values
from cdpdb.backends.salesforce.local.dataset.engagement import email_engagement
from cdpdb.backends.salesforce.local.dataset.identity import unified_profiles
from cdpdb.backends.salesforce.local.dataset.insights import calculated_insights
from cdpdb.backends.salesforce.local.dataset.orders import sales_orders
from cdpdb.backends.salesforce.local.dataset.people import contact_points, individuals

#: The dataspaces the dataset fills (each a database of its own).
DATASPACES = (wire.DEFAULT_DATASPACE, MARKETING_DATASPACE)

__all__ = ["DATASPACES", "MARKETING_DATASPACE", "GeneratedObject", "generate"]


def generate(scale: int = 1000, seed: int = 42) -> list[GeneratedObject]:
    """Build every object of the standard dataset for ``scale`` source contacts."""
    g = Values(seed)
    people, objects = individuals(g, max(int(scale), 10))
    objects += contact_points(g, people)
    objects += sales_orders(g, people)
    objects += email_engagement(g, people)
    objects += unified_profiles(g, people)
    return objects + calculated_insights()
