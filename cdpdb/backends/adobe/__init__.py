"""Adobe Experience Platform: Real-Time Customer Profile as SQL tables, Query Service through PostgreSQL tools."""
