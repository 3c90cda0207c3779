"""``crossdock config check [--connect] [--json]``: is this site's configuration complete and right?

Offline it validates the settings, ``<config_dir>/flows.yaml``, the partners' X12 and SFTP profiles,
the ERP connection and mapping, and that every secret a file names is set; each problem is printed as
``file:line: field: problem``. ``--connect`` adds one cheap read-only call to each configured endpoint
(RabbitMQ, the database, the ERP, each SFTP partner, each marketplace), each reported ok or failed
with the reason. Exit 0 all ok, 1 a problem found or an endpoint failed, 2 could not run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crossdock.cli.output import JsonOption, print_json, print_line

app = typer.Typer(
    rich_markup_mode=None,
    help="Check the configuration: settings, flows.yaml, profiles, secrets, endpoints.",
    no_args_is_help=True,
)


@app.command("check")
def check_command(
    connect: Annotated[
        bool, typer.Option("--connect", help="Also make one read-only call to each configured endpoint.")
    ] = False,
    as_json: JsonOption = False,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML settings file (default: $CROSSDOCK_CONFIG).")
    ] = None,
) -> None:
    """Validate settings, flows.yaml, partner, SFTP and ERP profiles and the secrets they name (problems
    as file:line: field: problem); with --connect, reach RabbitMQ, the database, the ERP, each SFTP
    partner and each marketplace once. Exit 0 all ok, 1 something is wrong, 2 could not run."""
    from crossdock.actors.site_check import check_endpoints, check_files

    report, site = check_files(config)
    if connect:
        report.endpoints = check_endpoints(site)
    if as_json:
        print_json(report.to_dict())
    else:
        for warning in report.warnings:
            print_line(f"warning: {warning}")
        for finding in report.findings:
            print_line(str(finding))
        if not report.findings:
            print_line("configuration: ok" + (f" ({site.flows_path})" if site.flows_path else ""))
        for endpoint in report.endpoints:
            state = "ok    " if endpoint.ok else "FAILED"
            print_line(f"{state} {endpoint.kind} {endpoint.name} {endpoint.target}: {endpoint.detail}")
    raise typer.Exit(0 if report.ok else 1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="config")
