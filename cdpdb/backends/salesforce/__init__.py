"""Salesforce Data Cloud (CDP, Data 360): Query API V1, V2, V3 and Connect, the Metadata API
and the typed API clients, with the local Data Cloud emulator in ``local/``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdpdb.connection import Connection


def connect(
    *,
    login_url: str | None = None,
    username: str | None = None,
    password: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    private_key: str | None = None,  # PEM text
    private_key_file: str | None = None,
    refresh_token: str | None = None,
    token: str | None = None,  # a ready Data Cloud token ...
    tenant_url: str | None = None,  # ... and the tenant it belongs to
    auth: str | None = None,  # client_credentials | jwt | browser | sf_org | refresh_token | token | password
    sf_org: str | None = None,  # reuse the Salesforce CLI's login of this alias or username
    callback_url: str | None = None,  # browser login: the loopback redirect (default http://127.0.0.1:1717/callback)
    login_timeout: float | None = None,  # browser login: seconds to wait for the browser (300)
    open_browser: bool | None = None,  # browser login: False only prints the URL
    token_store: str | None = None,  # browser login's refresh token: auto | keyring | file
    token_dir: str | None = None,  # the file store's folder (default: the user config folder)
    workload: str | None = None,  # Connect API: the workload queries run in
    dataspace: str | None = None,
    api: str | None = None,
    connect_api_version: str | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    query_timeout: float | None = None,
    max_retries: int | None = None,
    retry_max_seconds: float | None = None,
    verify: bool | None = None,
    ca_bundle: str | None = None,
    proxies: dict[str, str] | str | None = None,  # or https=http://proxy:3128,http=...
    user_agent: str | None = None,
    revoke_core_token: bool | None = None,
    token_cache: str | None = None,  # process (default): shared by the process's connections | store | off
    arrow: bool | None = None,  # ask V2/V3 for Arrow where offered
    max_workers: int | None = None,  # parallel V3 chunk downloads (1: serial)
    prefetch: int | None = None,  # pages or chunks fetched ahead of the consumer (0: none)
    progress: bool | None = None,  # tqdm progress bars for fetches
    ingestion_source: str | None = None,  # INSERT / to_sql through this Ingestion API source
    ingest_bulk_rows: int = 10_000,  # from this many rows an INSERT is a bulk job
    admin_key: str | None = None,  # local Data Cloud only: send writes to its admin path (test fixtures)
) -> Connection:
    """Log in to Data Cloud: ``cdpdb.connect()`` with every setting spelled out for editors and
    type checkers. ``None`` means the default, or the ``CDPDB_<NAME>`` environment variable.

    Credentials (one flow): ``client_id``/``client_secret`` (client credentials, on the My Domain
    ``login_url``); ``username``/``client_id``/``private_key`` or ``private_key_file`` (JWT bearer);
    ``auth="browser"`` with ``client_id`` (a browser login, kept and reused); ``sf_org`` (a
    Salesforce CLI login); ``refresh_token``/``client_id``[/``client_secret``]; a Data Cloud
    ``token`` with its ``tenant_url``; or, deprecated by Salesforce,
    ``username``/``password``/``client_id``/``client_secret``. docs/driver.md describes every
    setting; docs/real-org.md sets up an org.
    """
    arguments: dict[str, Any] = dict(locals())  # first: exactly the settings above
    from cdpdb.backends.salesforce.session import open_session
    from cdpdb.connection import Connection

    return Connection(open_session({name: value for name, value in arguments.items() if value is not None}))
