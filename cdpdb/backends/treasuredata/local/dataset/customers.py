""" "Customers JP": consumers of a Japanese retailer, with purchases and web visits."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.backends.treasuredata.local.dataset.common import Table, Values, ids
from cdpdb.backends.treasuredata.local.dataset.profiles import Spec, behavior, customers_table, parent_segment
from cdpdb.backends.treasuredata.local.model import ParentSegment

AUDIENCE_ID = "300001"
SOURCE_DB = "retail_jp"
FIRST = (
    "Haruto Yui Sota Mei Riku Aoi Yuto Hina Minato Sakura Ren Yuna Kaito Mio Hiroshi Yuki Kenji Aiko Emma Liam".split()
)
LAST = (
    "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Matsumoto".split()
)
PREFECTURES = ("Tokyo", "Osaka", "Kanagawa", "Aichi", "Saitama", "Chiba", "Hyogo", "Hokkaido", "Fukuoka", "Kyoto")
PREFECTURE_WEIGHTS = (30, 14, 12, 9, 8, 7, 6, 5, 5, 4)
DOMAINS = ("gmail.com", "yahoo.co.jp", "docomo.ne.jp", "outlook.jp", "icloud.com")
INTERESTS = ("outdoor", "fashion", "cooking", "travel", "anime", "fitness", "beauty", "gaming", "music", "tea")
CATEGORIES = ("apparel", "shoes", "bags", "beauty", "home", "food", "electronics", "sports")


def customers_jp(g: Values, n: int) -> tuple[ParentSegment, list[Table]]:
    keys = ids("JP", n)
    first, last = g.pick(FIRST, n), g.pick(LAST, n)
    local = pc.utf8_lower(pc.binary_join_element_wise(first, last, pa.array(np.arange(n)).cast(pa.string()), "."))
    email = pc.binary_join_element_wise(local, g.pick(DOMAINS, n, (40, 25, 15, 10, 10)), "@")
    orders = g.rng.poisson(4, n)
    specs = [
        Spec("email", "string", "crm_customers", lambda: g.nulls(email, 0.05), "Contact"),
        Spec("first_name", "string", "crm_customers", lambda: first, "Contact"),
        Spec("last_name", "string", "crm_customers", lambda: last, "Contact"),
        Spec(
            "gender",
            "string",
            "crm_customers",
            lambda: g.nulls(g.pick(("Female", "Male", "Other"), n, (52, 45, 3)), 0.05),
            "Profile",
        ),
        Spec("prefecture", "string", "crm_customers", lambda: g.pick(PREFECTURES, n, PREFECTURE_WEIGHTS), "Profile"),
        Spec(
            "membership_tier",
            "string",
            "loyalty",
            lambda: g.pick(("Bronze", "Silver", "Gold", "Platinum"), n, (50, 30, 15, 5)),
            "Loyalty",
        ),
        Spec("preferred_language", "string", "crm_customers", lambda: g.pick(("ja", "en"), n, (85, 15)), "Profile"),
        Spec("age", "integer", "crm_customers", lambda: g.nulls(pa.array(g.rng.integers(18, 81, n)), 0.1), "Profile"),
        Spec("lifetime_value", "number", "orders_summary", lambda: g.nulls(g.numbers(n, 30_000, 0), 0.05), "Orders"),
        Spec("total_orders", "integer", "orders_summary", lambda: pa.array(orders), "Orders"),
        Spec("loyalty_points", "integer", "loyalty", lambda: pa.array(g.rng.integers(0, 20_000, n)), "Loyalty"),
        Spec(
            "churn_score",
            "number",
            "ml_scores",
            lambda: g.nulls(pa.array(np.round(g.rng.beta(2, 5, n), 3)), 0.1),
            "Scores",
        ),
        Spec("last_purchase_at", "timestamp", "orders_summary", lambda: g.nulls(g.timestamps(n), 0.08), "Orders"),
        Spec("first_seen_at", "timestamp", "web_profiles", lambda: g.timestamps(n), "Engagement"),
        Spec(
            "birthday",
            "date",
            "crm_customers",
            lambda: g.nulls(g.dates("1945-01-01", "2007-12-31", n), 0.15),
            "Profile",
        ),
        Spec("signup_date", "date", "crm_customers", lambda: g.dates("2015-01-01", "2025-12-31", n), "Profile"),
        Spec(
            "interests",
            "string_array",
            "web_profiles",
            lambda: g.nulls(g.lists(INTERESTS, n, 4, pa.string()), 0.1),
            "Engagement",
        ),
        Spec(
            "favorite_categories",
            "string_array",
            "orders_summary",
            lambda: g.lists(CATEGORIES, n, 3, pa.string()),
            "Orders",
        ),
        Spec(
            "recent_order_amounts",
            "number_array",
            "orders_summary",
            lambda: g.lists((980.0, 1980.0, 2980.0, 4800.0, 9800.0, 15000.0), n, 5, pa.float64()),
            "Orders",
        ),
        Spec("email_opt_in", "boolean", "crm_customers", lambda: g.nulls(g.bools(n, 0.6), 0.02), "Contact"),
        Spec("is_vip", "boolean", "loyalty", lambda: g.bools(n, 0.08), "Loyalty"),
    ]
    customers = customers_table(keys, specs)
    purchases_def, purchases = behavior(
        g,
        keys,
        "11",
        "purchases",
        (SOURCE_DB, "orders"),
        2.5,
        [
            ("order_id", "string", lambda m: ids("ORD", m)),
            ("amount", "number", lambda m: g.numbers(m, 4_000, 0)),
            ("category", "string", lambda m: g.pick(CATEGORIES, m)),
            ("channel", "string", lambda m: g.pick(("online", "store", "app"), m, (50, 30, 20))),
            ("quantity", "integer", lambda m: pa.array(g.rng.integers(1, 6, m))),
            (
                "coupons",
                "string_array",
                lambda m: g.lists(("WELCOME10", "SUMMER", "VIP5", "FREESHIP"), m, 2, pa.string()),
            ),
        ],
    )
    visits_def, visits = behavior(
        g,
        keys,
        "12",
        "web_visits",
        (SOURCE_DB, "pageviews"),
        4.0,
        [
            (
                "url",
                "string",
                lambda m: pc.binary_join_element_wise(pa.scalar("https://shop.example.jp/"), g.pick(CATEGORIES, m), ""),
            ),
            (
                "page_type",
                "string",
                lambda m: g.pick(("home", "category", "product", "cart", "checkout"), m, (25, 25, 35, 10, 5)),
            ),
            ("device", "string", lambda m: g.pick(("mobile", "desktop", "tablet"), m, (65, 30, 5))),
            ("duration_seconds", "integer", lambda m: pa.array(g.rng.integers(1, 900, m))),
        ],
    )
    description = "Consumers of the Japanese web shop and stores"
    segment = parent_segment(AUDIENCE_ID, "Customers JP", description, SOURCE_DB, specs, [purchases_def, visits_def])
    return segment, [customers, purchases, visits]
