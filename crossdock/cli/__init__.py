"""The ``crossdock`` command: the composition root. Parse arguments, build from settings, call one
function of the module that owns the work, print the result."""

from __future__ import annotations

import typer

from crossdock.cli import db, edi, schema
from crossdock.cli import demo as demo_cli
from crossdock.cli import flows as flows_cli
from crossdock.cli import inventory as inventory_cli
from crossdock.cli import ops as ops_cli
from crossdock.cli import rest as rest_cli
from crossdock.cli import scheduler as scheduler_cli
from crossdock.cli import sftp as sftp_cli
from crossdock.cli import soap as soap_cli

app = typer.Typer(
    name="crossdock",
    help="crossdock: integration broker between marketplaces (REST), a legacy ERP (SOAP) and 3PLs (X12 over SFTP).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.add_typer(schema.app, name="schema")
app.add_typer(edi.app, name="edi")
app.add_typer(db.app, name="db")
soap_cli.register(app)
rest_cli.register(app)
ops_cli.register(app)
sftp_cli.register(app)
scheduler_cli.register(app)
inventory_cli.register(app)
# The main job: the business flows end to end on embedded defaults. `crossdock edi demo` walks the
# same example files through the X12 layer alone, step by step, printing each document.
app.command("demo")(flows_cli.demo)
edi.app.command("demo")(demo_cli.demo)


def main() -> None:
    app()
