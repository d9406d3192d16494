"""What the compat modules add or correct beyond the scripts' comparison: logins, settings, TLS,
closed objects, cdpdb's own features through the old objects, and the pg_catalog type names."""

from __future__ import annotations

import warnings
from decimal import Decimal

import pytest
import urllib3

import cdpdb
import cdpdb.compat.datacloud_connector as sfdc
from cdpdb.backends.salesforce.compat.pg_tables import data_cloud_type
from cdpdb.compat.cdp_connector import SalesforceCDPConnection

SQL_V2 = "SELECT ssot__Id__c, ssot__GrandTotalAmount__c FROM ssot__SalesOrder__dlm ORDER BY ssot__Id__c LIMIT 5"


def old_args(cloud, **change):
    creds = cloud.credentials
    args = dict(
        login_url=cloud.login_url,
        username=creds.username,
        password=creds.password,
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        ca_bundle=cloud.ca_path,
    )
    args.update(change)
    return {k: v for k, v in args.items() if v is not None}


def test_cdp_connection_is_a_context_manager_with_rowcount_and_cdpdb_extras(cloud):
    with SalesforceCDPConnection(**old_args(cloud)) as conn, conn.cursor() as cursor:
        assert cursor.execute(SQL_V2) is None  # as before
        assert cursor.rowcount in (-1, 5)
        rows = cursor.fetchall()
        assert len(rows) == 5 and all(type(r) is list for r in rows) and isinstance(rows[0][1], Decimal)
        assert cursor.rowcount == 5  # CDP-10
        cursor.execute(SQL_V2)
        table = cursor.fetch_arrow_table()  # a cdpdb cursor feature, through the old cursor
        assert table.num_rows == 5 and str(table.schema.field(1).type).startswith("decimal128")
        assert isinstance(conn.native, cdpdb.Connection)
        conn.commit(), conn.rollback(), cursor.commit(), cursor.rollback()  # no-ops, as before
        with pytest.raises(cdpdb.NotSupportedError):
            cursor.executemany(SQL_V2, [{}])
    assert conn.closed and cursor.closed
    with pytest.raises(cdpdb.InterfaceError):  # CDP-17: an InterfaceError, which is an Error
        conn.cursor()
    with pytest.raises(cdpdb.InterfaceError):
        cursor.fetchall()


def test_cdp_keeps_the_old_order_of_logins_and_maps_api(cloud):
    creds = cloud.credentials
    conn = SalesforceCDPConnection(**old_args(cloud, refresh_token=creds.refresh_token, api="v1"))
    try:
        assert conn.native.settings.auth == "refresh_token"  # a refresh token wins, as before
        assert conn.native.settings.api == "v2"  # CDP-14: the old connector always spoke V2
        assert conn.api == "v1" and conn.username == creds.username and not hasattr(conn, "password")  # CDP-18
    finally:
        conn.close()
    with SalesforceCDPConnection(**old_args(cloud, api="v3")) as newer:
        cursor = newer.cursor()
        cursor.execute('SELECT "ssot__Id__c", "ssot__GrandTotalAmount__c" FROM "ssot__SalesOrder__dlm" LIMIT 1')
        assert [d[1] for d in cursor.description] == ["Varchar", "Numeric"]


def test_cdp_client_credentials_and_jwt(cloud):
    creds = cloud.credentials
    for change in (
        dict(username=None, password=None),
        dict(password=None, client_secret=None, private_key=creds.private_key_pem),
    ):
        with SalesforceCDPConnection(**old_args(cloud, **change)) as conn:
            cursor = conn.cursor()
            cursor.execute("SELECT COUNT(*) AS n FROM ssot__Individual__dlm")
            assert cursor.fetchone() == [1000]


def test_cdp_fails_at_construction_with_the_right_class(cloud):
    with pytest.raises(cdpdb.OperationalError):  # CDP-11: at once, not at the first query
        SalesforceCDPConnection(**old_args(cloud, password="wrong"))
    with pytest.raises(cdpdb.ProgrammingError, match="username"):
        SalesforceCDPConnection(cloud.login_url, username="someone", ca_bundle=cloud.ca_path)


def test_cdp_verifies_tls_unless_told_the_ca(cloud, monkeypatch):
    """CDP-12: the old connector turned verification off for data calls; cdpdb does not."""
    monkeypatch.delenv("CDPDB_CA_BUNDLE", raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with SalesforceCDPConnection(**old_args(cloud, ca_bundle=None)) as conn:  # logs in on the core host
        with pytest.raises(cdpdb.OperationalError) as failure:
            conn.cursor().execute(SQL_V2)  # the tenant host's self-signed certificate is refused
    assert failure.value.reason == "tls"
    with SalesforceCDPConnection(**old_args(cloud, ca_bundle=None, verify=False)) as conn:
        with pytest.warns(urllib3.exceptions.InsecureRequestWarning):  # CDP-13: not silenced process-wide
            tables = conn.list_tables(table_name="ssot__SalesOrder__dlm")
        assert tables[0].primary_keys[0].name == "ssot__Id__c"


def test_datacloud_connection_surface(cloud):
    creds = cloud.credentials
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        conn = sfdc.connect(
            login_url=cloud.login_url,
            username=creds.username,
            password=creds.password,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            dataspace="default",
            workload="nightly",
            read_timeout=60,  # DC-9: cdpdb's settings are keyword arguments too
        )
    assert not any("workload" in str(w.message) for w in caught)  # DC-8: sent, so nothing to warn about
    with conn:
        assert (conn.dataspace, conn.workload, conn.native.settings.api) == ("default", "nightly", "connect")
        assert conn.native.settings.workload == "nightly"
        cursor = conn.cursor()
        cursor.executemany(
            'SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" WHERE "ssot__Id__c" = :id',
            [
                {"id": "IND000000001"},
                {"id": "IND000000002"},
            ],
        )
        assert cursor.fetchall() == [("IND000000002",)]  # the last run's rows, as before
        assert conn.get_table_metadata("ssot__SalesOrder__dl_") is None  # DC-11: exact, not LIKE
        assert conn.get_table_metadata("ssot__SalesOrder__dlm").dataspace == "default"
        conn.commit(), conn.rollback()
    with pytest.raises(sfdc.InterfaceError):
        conn.rollback()
    with pytest.raises(sfdc.InterfaceError):  # DC-12: a closed connection's cursors are closed too
        cursor.execute("SELECT 1")


def test_datacloud_client_credentials_and_refresh_token(cloud):
    creds = cloud.credentials
    for auth_type, extra in (
        ("client_credentials", {}),
        ("refresh_token", {"refresh_token": creds.refresh_token}),
        ("jwt", {"username": creds.username, "jwt_private_key": creds.private_key_pem}),
    ):
        secret = {} if auth_type == "jwt" else {"client_secret": creds.client_secret}
        with sfdc.connect(
            login_url=cloud.login_url, auth_type=auth_type, client_id=creds.client_id, **secret, **extra
        ) as c:
            assert c.cursor().execute('SELECT COUNT(*) FROM "ssot__Individual__dlm"').fetchone() == (1000,)


def test_datacloud_unknown_setting_names_the_known_ones(cloud):
    creds = cloud.credentials
    with pytest.raises(sfdc.ProgrammingError, match="unknown connect"):
        sfdc.connect(
            login_url=cloud.login_url,
            username=creds.username,
            password=creds.password,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            timeout=5,
        )


@pytest.mark.parametrize(
    ("formatted", "expected"),
    [
        ("text", ("Varchar", None, None)),
        ("character varying(255)", ("Varchar", 255, None)),
        ("numeric(18,2)", ("Numeric", 18, 2)),
        ("bigint", ("BigInt", None, None)),
        ("smallint", ("SmallInt", None, None)),
        ("double precision", ("Double", None, None)),
        ("real", ("Float", None, None)),
        ("boolean", ("Boolean", None, None)),
        ("date", ("Date", None, None)),
        ("time without time zone", ("Time", None, None)),
        ("timestamp without time zone", ("Timestamp", None, None)),
        ("timestamp(3) with time zone", ("TimestampTZ", 3, None)),
        ("timestamptz", ("TimestampTZ", None, None)),
    ],
)
def test_pg_catalog_type_names(formatted, expected):
    """format_type() text → the names the query APIs use (DC-11)."""
    assert data_cloud_type(formatted) == expected
