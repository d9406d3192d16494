"""User scripts as people write them against Salesforce's two Python connectors.

Each is run, unchanged, through the official connector and through cdpdb's drop-in replacement
(only the imported names differ). A script leaves what it saw in ``result``; the connection
arguments arrive as ``ARGS``.
"""

from __future__ import annotations

# -- salesforce-cdp-connector 1.0.20 (Query API V2 SQL: unquoted names) -------------------------

_ENGAGEMENT_V2 = (
    "SELECT ssot__Id__c, ssot__EngagementDateTm__c, ssot__EngagementDate__c, ssot__IsFirstEngagement__c, "
    "ssot__SendLatencyMs__c, ssot__OpenRate__c, ssot__RevenueAttributed__c, ssot__EmailSubjectLine__c "
    "FROM ssot__EmailEngagement__dlm ORDER BY ssot__Id__c"
)
_ORDERS_V2 = (
    "SELECT ssot__Id__c, ssot__OrderStartDate__c, ssot__OrderDeliveredDate__c, ssot__GrandTotalAmount__c, "
    "ssot__TotalProductQuantity__c, ssot__DiscountRate__c, ssot__IsGift__c, ssot__OrderCurrencyIsoCode__c "
    "FROM ssot__SalesOrder__dlm ORDER BY ssot__Id__c"
)

CDP = {
    "fetchall": f"""
conn = SalesforceCDPConnection(**ARGS)
cursor = conn.cursor()
cursor.execute({_ENGAGEMENT_V2!r})
result["description"] = cursor.description
result["rows"] = cursor.fetchall()
cursor.close()
conn.close()
""",
    "paging": f"""
conn = SalesforceCDPConnection(**ARGS)
cursor = conn.cursor()
cursor.execute({_ORDERS_V2!r})
result["description"] = cursor.description
result["first"] = cursor.fetchone()
result["pages"] = []
result["rows"] = []
while True:
    page = cursor.fetchmany(700)
    if not page:
        break
    result["pages"].append(len(page))
    result["rows"].extend(page)
conn.close()
""",
    "aggregate": """
conn = SalesforceCDPConnection(**ARGS)
cursor = conn.cursor()
cursor.execute(
    "SELECT ssot__OrderCurrencyIsoCode__c AS currency, COUNT(*) AS orders, SUM(ssot__GrandTotalAmount__c) AS total, "
    "MIN(ssot__OrderStartDate__c) AS first_order, AVG(ssot__DiscountRate__c) AS discount "
    "FROM ssot__SalesOrder__dlm GROUP BY ssot__OrderCurrencyIsoCode__c ORDER BY currency"
)
result["description"] = cursor.description
result["rows"] = cursor.fetchall()
conn.close()
""",
    "pandas": f"""
conn = SalesforceCDPConnection(**ARGS)
result["frame"] = conn.get_pandas_dataframe({_ENGAGEMENT_V2!r})
conn.close()
""",
    "pandas_empty": """
conn = SalesforceCDPConnection(**ARGS)
result["frame"] = conn.get_pandas_dataframe("SELECT ssot__Id__c FROM ssot__SalesOrder__dlm WHERE 1 = 0")
conn.close()
""",
    "list_tables": """
def summary(table):
    return [
        table.name, table.display_name, table.category, table.partition_by,
        [[k.name, k.display_name, k.index_order] for k in table.primary_keys],
        [[f.name, f.display_name, f.type, f.is_measure, f.is_dimension] for f in table.fields],
        [[r.from_table, r.to_table, r.from_entity_attribute, r.to_entity_attribute, r.cardinality]
         for r in table.relationships],
        [[[f.name, f.type] for f in index.fields] for index in table.indexes],
    ]

conn = SalesforceCDPConnection(**ARGS)
result["all"] = [summary(t) for t in conn.list_tables()]
result["one"] = [summary(t) for t in conn.list_tables(table_name="ssot__SalesOrder__dlm")]
result["engagement"] = sorted(t.name for t in conn.list_tables(table_category="Engagement"))
result["insights"] = sorted(t.name for t in conn.list_tables(table_type="CalculatedInsight"))
conn.close()
""",
    "bad_query": """
conn = SalesforceCDPConnection(**ARGS)
cursor = conn.cursor()
try:
    cursor.execute("SELECT ssot__Id__c FROM ssot__NoSuchObject__dlm")
    result["rows"] = cursor.fetchall()
except Error as error:
    result["error"] = error
conn.close()
""",
    "parameters": """
conn = SalesforceCDPConnection(**ARGS)
cursor = conn.cursor()
cursor.execute(
    "SELECT ssot__Id__c, ssot__FirstName__c FROM ssot__Individual__dlm WHERE ssot__CountryId__c = :country "
    "ORDER BY ssot__Id__c",
    {"country": "DE"},
)
result["rows"] = cursor.fetchall()
conn.close()
""",
    "parameters_inlined": """
conn = SalesforceCDPConnection(**ARGS)
cursor = conn.cursor()
cursor.execute(
    "SELECT ssot__Id__c, ssot__FirstName__c FROM ssot__Individual__dlm WHERE ssot__CountryId__c = 'DE' "
    "ORDER BY ssot__Id__c"
)
result["rows"] = cursor.fetchall()
conn.close()
""",
}

# -- salesforce-datacloud-connector 2.0.0b1 (Connect query-sql, Hyper SQL: quoted names) ---------

_ENGAGEMENT = (
    'SELECT "ssot__Id__c", "ssot__EngagementDateTm__c", "ssot__EngagementDate__c", "ssot__IsFirstEngagement__c", '
    '"ssot__SendLatencyMs__c", "ssot__OpenRate__c", "ssot__RevenueAttributed__c", "ssot__EmailSubjectLine__c" '
    'FROM "ssot__EmailEngagement__dlm" ORDER BY "ssot__Id__c"'
)
_ORDERS = (
    'SELECT "ssot__Id__c", "ssot__OrderStartDate__c", "ssot__OrderDeliveredDate__c", "ssot__GrandTotalAmount__c", '
    '"ssot__TotalProductQuantity__c", "ssot__DiscountRate__c", "ssot__IsGift__c", "ssot__OrderCurrencyIsoCode__c" '
    'FROM "ssot__SalesOrder__dlm" ORDER BY "ssot__Id__c"'
)

DATACLOUD = {
    "fetchall": f"""
conn = sfdc.connect(**ARGS)
cursor = conn.cursor()
cursor.execute({_ENGAGEMENT!r})
result["description"] = cursor.description
result["rows"] = cursor.fetchall()
result["rowcount"] = cursor.rowcount
cursor.close()
conn.close()
""",
    "paging": f"""
with sfdc.connect(**ARGS) as conn:
    cursor = conn.cursor()
    cursor.execute({_ORDERS!r})
    result["description"] = cursor.description
    result["first"] = cursor.fetchone()
    result["pages"] = []
    result["rows"] = []
    while True:
        page = cursor.fetchmany(700)
        if not page:
            break
        result["pages"].append(len(page))
        result["rows"].extend(page)
    result["after_end"] = [cursor.fetchone(), cursor.fetchmany(5), cursor.fetchall()]
""",
    "iterate": f"""
with sfdc.connect(**ARGS) as conn:
    with conn.cursor() as cursor:
        result["rows"] = [row for row in cursor.execute({_ORDERS!r})]
""",
    "aggregate": """
conn = sfdc.connect(**ARGS)
cursor = conn.cursor()
cursor.execute(
    'SELECT "ssot__OrderCurrencyIsoCode__c" AS currency, COUNT(*) AS orders, '
    'SUM("ssot__GrandTotalAmount__c") AS total, CAST(AVG("ssot__GrandTotalAmount__c") AS NUMERIC(12, 2)) AS average, '
    'CAST(COUNT(*) AS NUMERIC(10, 0)) AS orders_numeric, MIN("ssot__OrderStartDate__c") AS first_order, '
    'CAST(MIN("ssot__OrderStartDate__c") AS TIMESTAMP) AS first_order_local, AVG("ssot__DiscountRate__c") AS discount '
    'FROM "ssot__SalesOrder__dlm" GROUP BY 1 ORDER BY 1'
)
result["description"] = cursor.description
result["rows"] = cursor.fetchall()
conn.close()
""",
    "pandas": f"""
conn = sfdc.connect(**ARGS)
cursor = conn.cursor()
cursor.execute({_ENGAGEMENT!r})
result["frame"] = cursor.fetch_df()
conn.close()
""",
    "list_tables": """
def summary(table):
    return [
        table.name, table.display_name, table.category, table.dataspace,
        [[f.name, f.display_name, f.type, f.nullable, f.precision, f.scale] for f in table.fields],
    ]

conn = sfdc.connect(**ARGS)
result["all"] = [summary(t) for t in conn.list_tables()]
result["sales"] = [summary(t) for t in conn.list_tables(table_name_pattern="ssot__Sales%")]
result["tables_only"] = [t.name for t in conn.list_tables(table_types=["TABLE"])]
result["views_only"] = [t.name for t in conn.list_tables(table_types=["VIEW"])]
result["public"] = len(conn.list_tables(schema_pattern="public"))
result["one"] = summary(conn.get_table_metadata("ssot__SalesOrder__dlm"))
result["qualified"] = summary(conn.get_table_metadata("public.Customer_Lifetime_Value__cio"))
result["field"] = conn.get_table_metadata("ssot__SalesOrder__dlm").get_field("ssot__GrandTotalAmount__c").precision
result["missing"] = conn.get_table_metadata("ssot__NoSuchObject__dlm")
conn.close()
""",
    "bad_query": """
conn = sfdc.connect(**ARGS)
cursor = conn.cursor()
try:
    cursor.execute('SELECT "ssot__Id__c" FROM "ssot__NoSuchObject__dlm"')
    result["rows"] = cursor.fetchall()
except sfdc.Error as error:
    result["error"] = error
try:
    cursor.execute("SELEC 1")
except sfdc.ProgrammingError as error:
    result["syntax"] = error
conn.close()
""",
    "bad_arguments": """
try:
    sfdc.connect(login_url=ARGS["login_url"], auth_type="jwt", username=ARGS["username"])
except ValueError as error:
    result["missing"] = error
try:
    sfdc.connect(login_url=ARGS["login_url"], auth_type="kerberos")
except ValueError as error:
    result["unknown"] = error
""",
    "parameters": """
conn = sfdc.connect(**ARGS)
cursor = conn.cursor()
cursor.execute(
    'SELECT "ssot__Id__c", "ssot__GrandTotalAmount__c" FROM "ssot__SalesOrder__dlm" '
    'WHERE "ssot__OrderCurrencyIsoCode__c" = :currency AND "ssot__GrandTotalAmount__c" > :minimum ORDER BY 1',
    {"currency": "EUR", "minimum": 250},
)
result["rows"] = cursor.fetchall()
conn.close()
""",
}
