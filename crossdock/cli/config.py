"""``crossdock config check [--connect] [--json]``: is this site's configuration complete and right?"""

from __future__ import annotations

import typer

app = typer.Typer(
    rich_markup_mode=None,
    help="Check the configuration: settings, flows.yaml, profiles, secrets, endpoints.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="config")
