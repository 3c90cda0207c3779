"""The ``crossdock`` command: the composition root. Parse arguments, build from settings, call one
function of the module that owns the work, print the result.

Each command module imports only typer and the standard library at the top; what a command needs
(SQLAlchemy, zeep, paramiko, the flows) is imported when it runs, so ``crossdock --help`` stays fast.
Every error that escapes a command goes through :mod:`crossdock.cli.boundary`: one line, exit 2.
"""

from __future__ import annotations

from typing import Annotated

import typer

from crossdock.cli import config as config_cli
from crossdock.cli import db, edi, flow_graph, schema
from crossdock.cli import demo as demo_cli
from crossdock.cli import flows as flows_cli
from crossdock.cli import inventory as inventory_cli
from crossdock.cli import ops as ops_cli
from crossdock.cli import order as order_cli
from crossdock.cli import rehearse as rehearse_cli
from crossdock.cli import rest as rest_cli
from crossdock.cli import returns as returns_cli
from crossdock.cli import scheduler as scheduler_cli
from crossdock.cli import settle as settle_cli
from crossdock.cli import sftp as sftp_cli
from crossdock.cli import sla as sla_cli
from crossdock.cli import soap as soap_cli
from crossdock.cli.boundary import CrossdockGroup
from crossdock.cli.console import console as console_command

app = typer.Typer(
    rich_markup_mode=None,
    name="crossdock",
    cls=CrossdockGroup,
    help="crossdock: integration broker between marketplaces (REST), a legacy ERP (SOAP) and 3PLs (X12 over SFTP). "
    "Exit codes: 0 ok, 1 found a problem, 2 could not run (docs/operations.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"crossdock {version('crossdock')}")
        except PackageNotFoundError:
            typer.echo("crossdock (not installed)")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """crossdock: integration broker between marketplaces (REST), a legacy ERP (SOAP) and 3PLs (X12 over SFTP).

    Exit codes of every command: 0 ok, 1 the command ran and found a problem, 2 it could not run
    (configuration, an unreachable or unready server, bad arguments). See docs/operations.md."""


app.add_typer(schema.app, name="schema")
app.add_typer(edi.app, name="edi")
app.add_typer(db.app, name="db")
config_cli.register(app)
app.add_typer(settle_cli.app, name="settle")  # its work is imported when a command runs
app.add_typer(returns_cli.app, name="returns")
app.add_typer(flow_graph.app, name="flows")
soap_cli.register(app)
rest_cli.register(app)
ops_cli.register(app)
sftp_cli.register(app)
scheduler_cli.register(app)
inventory_cli.register(app)
order_cli.register(app)
sla_cli.register(app)
# The main job: the business flows end to end on embedded defaults. `crossdock edi demo` walks the
# same example files through the X12 layer alone, step by step, printing each document.
app.command("demo")(flows_cli.demo)
app.command("console")(console_command)
app.command("rehearse")(rehearse_cli.rehearse)
edi.app.command("demo")(demo_cli.demo)


def main() -> None:
    app()
