"""``crossdock demo [--json] [--workdir DIR]``: the business flows end to end on embedded defaults
(in-memory broker and worker, SQLite, the ERP simulator in-process on loopback, local folders as the
partners' SFTP mailboxes, the bundled examples). Exit 0 when the flow completed, 1 otherwise, 2 when the
examples cannot be read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from crossdock.errors import ConfigError
from crossdock.examples import EXAMPLES


def demo(
    examples: Annotated[Path, typer.Option("--examples", help="Folder with the example files.")] = EXAMPLES,
    workdir: Annotated[
        Path | None,
        typer.Option(
            "--workdir",
            help="Keep the state (SQLite, mailboxes) here; a re-run replaces it. Default: a temporary folder.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """850 → 997 + ERP sales order + 940 to the 3PL; 945 → ERP shipment + 856 to the buyer; the same 850 again
    is a duplicate."""
    from crossdock.actors.flow_demo import run_demo

    try:
        summary = run_demo(examples, workdir)
    except (OSError, ConfigError) as exc:
        typer.echo(f"cannot run the flow demo: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), indent=2, default=str))
        raise typer.Exit(0 if summary.ok else 1)
    for event in summary.events:
        typer.echo(event.title)
        for line in event.lines:
            typer.echo(f"    {line}")
    typer.echo(f"Trace of {summary.order}:")
    for hop in summary.trace:
        typer.echo(f"    {hop['started_at']}  {hop['actor']:<22} {hop['queue']:<14} {hop['status']:<10} "
                   f"{hop['duration_ms'] or 0:.0f} ms")  # fmt: skip
    typer.echo("Linked documents: " + ", ".join(summary.documents))
    for partner, files in summary.files.items():
        typer.echo(f"Files for {partner}: " + ", ".join(files))
    typer.echo("ERP calls: " + ", ".join(f"{op} x{n}" for op, n in summary.erp_calls.items()))
    for item in summary.exceptions:
        typer.echo(f"Exception work item {item}")
    if workdir is not None:
        typer.echo(f"State kept in {summary.workdir}")
    typer.echo("flow completed" if summary.ok else "flow did NOT complete")
    raise typer.Exit(0 if summary.ok else 1)
