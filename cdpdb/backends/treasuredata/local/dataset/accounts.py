""" "B2B Accounts": business customers of a SaaS product, with product usage and support tickets."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.backends.treasuredata.local.dataset.common import Table, Values, ids
from cdpdb.backends.treasuredata.local.dataset.profiles import Spec, behavior, customers_table, parent_segment
from cdpdb.backends.treasuredata.local.model import ParentSegment

AUDIENCE_ID = "300002"
SOURCE_DB = "saas_accounts"
INDUSTRIES = ("Retail", "Manufacturing", "Finance", "Healthcare", "Media", "Software", "Logistics")
COUNTRIES = ("JP", "US", "GB", "DE", "SG", "AU")
NAMES = "Acme Globex Initech Umbrella Hooli Soylent Stark Wayne Tyrell Cyberdyne Wonka Vandelay".split()
TAGS = ("pilot", "strategic", "upsell", "at-risk", "reference", "partner")


def b2b_accounts(g: Values, n: int) -> tuple[ParentSegment, list[Table]]:
    keys = ids("ACC", n)
    names = pc.binary_join_element_wise(g.pick(NAMES, n), pa.array(np.arange(n)).cast(pa.string()), " ")
    employees = np.round(g.rng.lognormal(np.log(300), 1.3, n)).astype(np.int64) + 1
    specs = [
        Spec("account_name", "string", "accounts", lambda: names, "Account"),
        Spec("industry", "string", "accounts", lambda: g.nulls(g.pick(INDUSTRIES, n), 0.05), "Account"),
        Spec("country", "string", "accounts", lambda: g.pick(COUNTRIES, n, (40, 25, 10, 10, 8, 7)), "Account"),
        Spec(
            "plan", "string", "billing", lambda: g.pick(("Starter", "Growth", "Enterprise"), n, (50, 35, 15)), "Billing"
        ),
        Spec(
            "csm_email",
            "string",
            "accounts",
            lambda: g.nulls(g.pick(("aki@vendor.example", "ben@vendor.example", "chika@vendor.example"), n), 0.3),
            "Account",
        ),
        Spec("employees", "integer", "accounts", lambda: pa.array(employees), "Account"),
        Spec("annual_revenue", "number", "accounts", lambda: g.nulls(g.numbers(n, 5_000_000, 0), 0.2), "Account"),
        Spec("arr", "number", "billing", lambda: g.numbers(n, 12_000, 0), "Billing"),
        Spec(
            "health_score",
            "number",
            "success",
            lambda: g.nulls(pa.array(np.round(g.rng.uniform(0, 100, n), 1)), 0.1),
            "Success",
        ),
        Spec("created_date", "date", "accounts", lambda: g.dates("2016-01-01", "2025-12-01", n), "Account"),
        Spec(
            "renewal_date", "date", "billing", lambda: g.nulls(g.dates("2026-01-01", "2027-12-31", n), 0.1), "Billing"
        ),
        Spec("last_login_at", "timestamp", "usage_summary", lambda: g.nulls(g.timestamps(n), 0.05), "Usage"),
        Spec("tags", "string_array", "success", lambda: g.lists(TAGS, n, 3, pa.string()), "Success"),
        Spec(
            "seat_usage",
            "number_array",
            "usage_summary",
            lambda: g.nulls(g.lists((0.2, 0.4, 0.6, 0.8, 0.95), n, 4, pa.float64()), 0.05),
            "Usage",
        ),
        Spec("is_enterprise", "boolean", "billing", lambda: pa.array(employees > 1000), "Billing"),
        Spec("has_sso", "boolean", "accounts", lambda: g.nulls(g.bools(n, 0.4), 0.05), "Account"),
    ]
    customers = customers_table(keys, specs)
    usage_def, usage = behavior(
        g,
        keys,
        "21",
        "product_usage",
        (SOURCE_DB, "usage_events"),
        6.0,
        [
            ("feature", "string", lambda m: g.pick(("dashboards", "exports", "api", "alerts", "sso"), m)),
            ("active_users", "integer", lambda m: pa.array(g.rng.integers(1, 200, m))),
            ("minutes", "number", lambda m: g.numbers(m, 30, 1)),
        ],
    )
    tickets_def, tickets = behavior(
        g,
        keys,
        "22",
        "support_tickets",
        (SOURCE_DB, "tickets"),
        1.5,
        [
            ("priority", "string", lambda m: g.pick(("low", "normal", "high", "urgent"), m, (30, 45, 20, 5))),
            ("status", "string", lambda m: g.pick(("open", "pending", "solved"), m, (15, 15, 70))),
            ("category", "string", lambda m: g.pick(("billing", "bug", "how-to", "outage"), m)),
        ],
    )
    description = "Business accounts of the SaaS product"
    segment = parent_segment(AUDIENCE_ID, "B2B Accounts", description, SOURCE_DB, specs, [usage_def, tickets_def])
    return segment, [customers, usage, tickets]
