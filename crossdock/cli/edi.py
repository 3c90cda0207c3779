"""``crossdock edi``: validate, translate, render and acknowledge X12 files."""

from __future__ import annotations

import typer

app = typer.Typer(help="Validate, translate, render and acknowledge X12 files.", no_args_is_help=True)
