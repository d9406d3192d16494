"""The connection options every Data Cloud command takes, and the connection they open (an org,
or an embedded local Data Cloud with ``--local``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click


def _require_local():
    try:
        from cdpdb.backends.salesforce import local
    except ImportError as exc:
        raise click.ClickException(
            f"the local Data Cloud needs the 'local' extra ({exc.name} is missing): pip install 'cdpdb[local]'"
        ) from None
    return local


def connection_options(command):
    """Options shared by every command that connects; secrets come from CDPDB_* variables."""
    options = [
        click.option("--local", is_flag=True, help="Start an embedded local Data Cloud and query it (no credentials)."),
        click.option("--scale", default=10_000, show_default=True, help="With --local: contacts to generate."),
        click.option("--login-url", help="https://login.salesforce.com, a sandbox or My Domain (or CDPDB_LOGIN_URL)."),
        click.option("--username", help="Or CDPDB_USERNAME; the password comes from CDPDB_PASSWORD."),
        click.option(
            "--client-id",
            help="The connected app (or CDPDB_CLIENT_ID; secret: CDPDB_CLIENT_SECRET). "
            "A refresh-token login needs it and CDPDB_REFRESH_TOKEN.",
        ),
        click.option("--private-key-file", type=click.Path(dir_okay=False), help="RSA key for a JWT login."),
        click.option(
            "--tenant-url",
            help="A ready Data Cloud token's tenant, https://... (or CDPDB_TENANT_URL); the token: CDPDB_TOKEN.",
        ),
        click.option(
            "--auth",
            type=click.Choice(["password", "jwt", "refresh_token", "client_credentials", "token"]),
            help="The login flow, when the credentials given fit more than one (default: inferred).",
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(exists=True, dir_okay=False),
            help="PEM file of the CAs to trust (a TLS-inspecting proxy, or `cdpdb serve`'s CA certificate).",
        ),
        click.option("--dataspace", help="The data space."),
        click.option("--api", type=click.Choice(["v3", "v2", "v1", "connect"]), help="Query API (default v3)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@contextlib.contextmanager
def _connection(local: bool, scale: int, progress: bool, **given) -> Iterator:
    import cdpdb

    given = {k: v for k, v in given.items() if v is not None}
    given["progress"] = progress
    try:
        if local:
            with _require_local().serve(scale=scale) as cloud, cdpdb.connect(**cloud.connect_args(**given)) as conn:
                yield conn
        else:
            with cdpdb.connect(**given) as conn:
                yield conn
    except cdpdb.Error as exc:  # a clear message, no traceback
        raise click.ClickException(str(exc)) from None
