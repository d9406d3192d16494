"""``cdpdb profile`` and ``cdpdb insight``: the Profile and Calculated Insights APIs from the terminal."""

from __future__ import annotations

from typing import Any

import click

from cdpdb.backends.salesforce.cli_options import _connection, connection_options
from cdpdb.cli.output import FORMATS, print_table
from cdpdb.cli.signals import stop_signals


def _filters(pairs: tuple[str, ...]) -> dict[str, str]:
    filters = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep or not field:
            raise click.BadParameter(f"{pair!r}: write Field__c=value", param_hint="--filter")
        filters[field.strip()] = value
    return filters


def _names(text: str | None) -> list[str] | None:
    return [n.strip() for n in text.split(",") if n.strip()] if text else None


def _limit(value: int) -> int | None:
    return None if value == 0 else value


_OUTPUT = [
    click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True),
    click.option("--max-rows", default=100, show_default=True, help="Rows shown by --format table."),
    click.option("--limit", default=100, show_default=True, help="Rows to read (0: all, past the 4,999 per call)."),
]


def _output_options(command: Any) -> Any:
    for option in reversed(_OUTPUT):
        command = option(command)
    return command


@click.command()
@click.argument("model")
@click.option("--id", "record_id", help="Look a record up by its key value instead of searching.")
@click.option("--search-key", help="With --id: the key field, when not the primary key.")
@click.option("--child", help="With --id: the related object to read (e.g. ssot__ContactPointEmail__dlm).")
@click.option("--insight", help="With --id: the calculated insight to read for the profile.")
@click.option("--filter", "filters", multiple=True, help="Field__c=value (repeat: AND). Needed without --id.")
@click.option("--fields", help="Comma list of fields.")
@click.option("--orderby", help="e.g. 'ssot__LastName__c ASC'.")
@_output_options
@connection_options
def profile(
    model: str,
    record_id: str | None,
    search_key: str | None,
    child: str | None,
    insight: str | None,
    filters: tuple[str, ...],
    fields: str | None,
    orderby: str | None,
    fmt: str,
    max_rows: int,
    limit: int,
    local: bool,
    scale: int,
    **given: Any,
) -> None:
    """Profile API: search a profile object, or read one profile, its related records or insight.

    \b
    Examples:
      cdpdb profile --local ssot__Individual__dlm --filter ssot__CountryId__c=DE --fields ssot__Id__c,ssot__LastName__c
      cdpdb profile --local ssot__Individual__dlm --id IND000000003 --child ssot__ContactPointEmail__dlm
      cdpdb profile --local ssot__Individual__dlm --id IND000000003 --insight Customer_Lifetime_Value__cio
    """
    from cdpdb.backends.salesforce.apis import ProfileClient

    if (child or insight or search_key) and record_id is None:
        raise click.UsageError("--child, --insight and --search-key read one profile: give its --id")
    if record_id is None and not filters:
        raise click.UsageError("give --id, or at least one --filter Field__c=value (the Profile API requires one)")
    with stop_signals(), _connection(local, scale, False, **given) as conn:
        client, rows = ProfileClient(conn), _limit(limit)
        common = {"fields": _names(fields), "limit": rows, "orderby": orderby}
        if record_id is None:
            records = client.search(model, _filters(filters), **common)
        elif insight:
            records = client.insight(
                model, record_id, insight, search_key=search_key, filters=_filters(filters) or None, limit=rows
            )
        elif child:
            records = client.children(
                model, record_id, child, search_key=search_key, filters=_filters(filters) or None, **common
            )
        else:
            records = client.get(model, record_id, search_key=search_key, filters=_filters(filters) or None, **common)
        print_table(records.to_arrow(), fmt, max_rows)


@click.command()
@click.argument("name")
@click.option("--dimensions", help="Comma list (at most 10; default: all).")
@click.option("--measures", help="Comma list (at most 5; default: all).")
@click.option("--filter", "filters", multiple=True, help="Field__c=value (repeat: AND).")
@click.option("--grain", type=click.Choice(["HOUR", "DAY", "MONTH", "QUARTER", "YEAR"], case_sensitive=False))
@click.option("--orderby", help="e.g. 'TotalSpend__c DESC'.")
@_output_options
@connection_options
def insight(
    name: str,
    dimensions: str | None,
    measures: str | None,
    filters: tuple[str, ...],
    grain: str | None,
    orderby: str | None,
    fmt: str,
    max_rows: int,
    limit: int,
    local: bool,
    scale: int,
    **given: Any,
) -> None:
    """Calculated Insights API: an insight's rows by dimensions and measures, optionally at a time grain.

    \b
    Examples:
      cdpdb insight --local Customer_Lifetime_Value__cio --dimensions Currency__c --measures TotalSpend__c
      cdpdb insight --local Email_Engagement_Monthly__cio --dimensions EngagementMonth__c --grain QUARTER --limit 0
    """
    from cdpdb.backends.salesforce.apis import InsightsClient

    with stop_signals(), _connection(local, scale, False, **given) as conn:
        records = InsightsClient(conn).query(
            name,
            dimensions=_names(dimensions),
            measures=_names(measures),
            filters=_filters(filters) or None,
            time_granularity=grain,
            limit=_limit(limit),
            orderby=orderby,
        )
        print_table(records.to_arrow(), fmt, max_rows)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.argument("source")
@click.argument("object_name", metavar="OBJECT")
@click.option("--bulk/--stream", default=None, help="Default: bulk from 10,000 rows, streaming below.")
@click.option("--table", help="The data lake object the source's object feeds (default: SOURCE_OBJECT__dll).")
@click.option("--wait/--no-wait", default=True, show_default=True, help="With --bulk: follow the job to its end.")
@click.option("--progress/--no-progress", default=True, show_default=True, help="A progress bar on stderr (tqdm).")
@connection_options
def ingest(
    file: str,
    source: str,
    object_name: str,
    bulk: bool | None,
    table: str | None,
    wait: bool,
    progress: bool,
    local: bool,
    scale: int,
    **given: Any,
) -> None:
    """Ingestion API: upsert the rows of a CSV or Parquet FILE into OBJECT of Ingestion API source SOURCE.

    Every row is checked against the object's schema before anything is sent. Data Cloud processes
    ingested rows asynchronously (streamed ones within minutes; a bulk job after it is closed).

    \b
    Examples:
      cdpdb ingest --local orders.csv Ecommerce Order
      cdpdb ingest --bulk orders.parquet Ecommerce Order --login-url https://MyDomain.my.salesforce.com ...
    """
    from cdpdb.backends.salesforce.apis import IngestionClient
    from cdpdb.backends.salesforce.apis.ingest import as_table
    from cdpdb.cli.output import progress_available

    rows = as_table(file)
    use_bulk = bulk if bulk is not None else rows.num_rows >= 10_000
    with stop_signals(), _connection(local, scale, False, **given) as conn:
        client = IngestionClient(conn)
        if use_bulk:
            job = client.bulk_upsert(
                source, object_name, rows, table=table, progress=progress and progress_available(), wait=wait
            )
            click.echo(f"bulk job {job.id}: {job.state}, {job.records_processed:,} rows processed", err=True)
        else:
            sent = client.stream(source, object_name, rows, table=table)
            click.echo(
                f"streamed {sent:,} rows to {source}/{object_name} (visible once Data Cloud processes them)", err=True
            )
