"""``cdpdb serve [--backend NAME]``: a backend's local emulator in the foreground.

Each backend's ``cli`` module declares ``SERVE_OPTIONS`` (click options without defaults) and a
``serve(**options)`` function with its defaults; this command offers every backend's options and
hands each backend only the ones it declared, refusing another backend's option by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

import click

from cdpdb.backends.base import DEFAULT_BACKEND

HELP = """Run a local CDP emulator in the foreground until Ctrl-C or SIGTERM (by default the local
Data Cloud). Either stops it cleanly and removes its temporary folder (keys, data files).

\b
Examples:
  cdpdb serve                                   # the local Data Cloud, free ports
  cdpdb serve --scale 200000 --port 8080 --tenant-port 8443
  cdpdb serve --backend treasuredata --port 8443
"""


def serve_command(backends: Mapping[str, ModuleType]) -> click.Command:
    owners: dict[str, list[str]] = {}
    params: list[click.Parameter] = [
        click.Option(
            ["--backend"],
            type=click.Choice(sorted(backends)),
            default=DEFAULT_BACKEND,
            show_default=True,
            help="Whose local emulator to run.",
        )
    ]
    declared: dict[str, list[tuple[str, click.Option]]] = {}
    for name, module in backends.items():
        for option in module.SERVE_OPTIONS:
            assert option.name is not None
            declared.setdefault(option.name, []).append((name, option))
            owners.setdefault(option.name, []).append(name)
    for versions in declared.values():
        first = versions[0][1]
        if len(versions) == 1:
            params.append(first)
            continue
        texts = {option.help for _, option in versions}
        helps = (
            texts.pop() if len(texts) == 1 else "; ".join(f"{backend}: {option.help}" for backend, option in versions)
        )
        params.append(click.Option(first.opts, type=first.type, is_flag=first.is_flag, default=None, help=helps))

    def run(backend: str, **given: Any) -> None:
        chosen = {key: value for key, value in given.items() if value is not None}
        foreign = sorted(key for key in chosen if backend not in owners[key])
        if foreign:
            names = ", ".join("--" + key.replace("_", "-") for key in foreign)
            raise click.UsageError(f"{names} is not an option of the {backend} emulator")
        backends[backend].serve(**chosen)

    return click.Command(
        "serve",
        params=params,
        callback=run,
        help=HELP,
    )
