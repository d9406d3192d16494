"""A Streamlit app over Data Cloud through ``st.connection(type="sql")`` and a cdp:// URL."""

import os

import streamlit as st

conn = st.connection("datacloud", type="sql", url=os.environ.get("CDP_URL", "cdp://local?scale=1000"))
orders = conn.query(
    'SELECT "ssot__SalesOrderStatusId__c" AS status, COUNT(*) AS orders FROM "ssot__SalesOrder__dlm" GROUP BY 1',
    ttl=600,
)
st.metric("orders", int(orders["orders"].sum()))
st.dataframe(orders)
