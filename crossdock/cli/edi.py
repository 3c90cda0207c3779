"""``crossdock edi``: validate, translate, render and acknowledge X12 files."""

from __future__ import annotations

import typer

from crossdock.cli import edi_check, edi_translate

app = typer.Typer(
    rich_markup_mode=None,
    help="Validate, translate, render and acknowledge X12 files; walk the bundled examples (demo).",
    no_args_is_help=True,
)
edi_check.register(app)
edi_translate.register(app)
