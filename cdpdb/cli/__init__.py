"""The ``cdpdb`` command line. Each backend contributes its commands and options (a ``cli``
module in its folder with ``commands()``); this package holds what they share."""

from __future__ import annotations

import logging
from importlib import import_module

import click

from cdpdb._version import __version__
from cdpdb.backends.base import BUILTIN
from cdpdb.cli.serve import serve_command


@click.group()
@click.version_option(__version__, "--version", "-V", prog_name="cdpdb", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
def main(verbose: int) -> None:
    """cdpdb: Customer Data Platforms as SQL (today: Salesforce Data Cloud).

    \b
    Examples, against an embedded local Data Cloud (no credentials, no org):
      cdpdb demo
      cdpdb query --local 'SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" LIMIT 5'
      cdpdb export --local 'SELECT * FROM "ssot__SalesOrder__dlm"' orders.parquet
      cdpdb serve --scale 100000 --port 8080

    \b
    Against an org (secrets only through CDPDB_* environment variables; docs/real-org.md):
      CDPDB_CLIENT_SECRET=... cdpdb query --login-url https://MyDomain.my.salesforce.com \\
                  --client-id 3MVG9... 'SELECT 1'              # client credentials
      cdpdb query --login-url https://login.salesforce.com --username me@example.com \\
                  --client-id 3MVG9... --private-key-file private.key 'SELECT 1'   # JWT bearer
      cdpdb login --login-url https://MyDomain.my.salesforce.com --client-id 3MVG9...
      cdpdb query --auth browser --login-url https://MyDomain.my.salesforce.com \\
                  --client-id 3MVG9... 'SELECT 1'              # the kept browser login
      cdpdb query --sf-org myorg 'SELECT 1'                    # a Salesforce CLI login
      CDPDB_REFRESH_TOKEN=... cdpdb query --client-id 3MVG9... 'SELECT 1'
      CDPDB_TOKEN=... cdpdb query --tenant-url https://TENANT.c360a.salesforce.com 'SELECT 1'
    """
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
        )


def _add_backend_commands() -> None:
    modules = {}
    for backend in BUILTIN:
        try:
            modules[backend] = import_module(f"cdpdb.backends.{backend}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"cdpdb.backends.{backend}.cli":
                raise
    for module in modules.values():
        for command in module.commands():
            main.add_command(command)
    main.add_command(serve_command({name: m for name, m in modules.items() if hasattr(m, "SERVE_OPTIONS")}))


_add_backend_commands()
