"""``crossdock demo [--orders N] [--json] [--workdir DIR] [--walkthrough]``: the business flows end to
end on embedded defaults (in-memory broker and worker, SQLite, the ERP and marketplace simulators
in-process on loopback, local folders as the partners' SFTP mailboxes). By default N orders over every
channel to their final state (:mod:`crossdock.actors.lifecycle_demo`); ``--walkthrough`` follows one
buyer order hop by hop instead. Exit 0 when every order reached a final state or an open exception item
(``lost`` is 0) / the walk-through completed, 1 otherwise, 2 when it cannot run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from crossdock.errors import ConfigError
from crossdock.examples import EXAMPLES


def demo(
    orders: Annotated[
        int, typer.Option("--orders", min=1, max=4000, help="How many orders, spread over every channel.")
    ] = 24,
    walkthrough: Annotated[
        bool, typer.Option("--walkthrough", help="Follow one buyer order hop by hop instead (the bundled 850).")
    ] = False,
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
    """N orders over every channel (buyer 850s, Shopify webhooks, Amazon and Walmart polls) to the ERP and
    the 3PL, a simulated 3PL answering with 997s and 945s (some split, some late), some bad and repeated
    inputs; the summary is read from the store and the simulators. --walkthrough: one 850 hop by hop."""
    if not walkthrough:
        _lifecycle(orders, examples, workdir, as_json)
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


LABELS = {
    "orders_received": "orders received", "erp_orders": "ERP sales orders", "edi_940_sent": "940s sent to the 3PL",
    "acks_reconciled": "997s reconciled", "shipments": "shipments posted", "invoices": "invoices",
    "tracking_updates": "tracking sent to marketplaces", "cancellations": "cancellations",
    "inventory_updates": "inventory updates", "duplicates": "duplicates skipped", "lost": "lost",
}  # fmt: skip


def _lifecycle(orders: int, examples: Path, workdir: Path | None, as_json: bool) -> None:
    import sys

    from crossdock.actors.lifecycle_demo import run_lifecycle_demo

    def progress(what: str, done: int, total: int) -> None:
        if not as_json and sys.stderr.isatty():
            sys.stderr.write(f"\r[{'#' * done}{'.' * (total - done)}] {what:<44}")
            sys.stderr.flush()

    try:
        summary = run_lifecycle_demo(orders, workdir, examples=examples, progress=progress)
    except (OSError, ConfigError) as exc:
        typer.echo(f"cannot run the flow demo: {exc}", err=True)
        raise typer.Exit(2) from exc
    finally:
        if not as_json and sys.stderr.isatty():
            sys.stderr.write("\n")
    if as_json:
        typer.echo(json.dumps(summary.to_dict()))
        raise typer.Exit(0 if summary.ok else 1)
    from crossdock.cli.output import print_table

    counts = summary.counts
    by_channel = ", ".join(f"{channel} {n}" for channel, n in summary.by_channel.items())
    typer.echo(f"{orders} orders over every channel ({by_channel}), plus bad and repeated inputs:")
    print_table(["", "count"], [[label, str(counts[key])] for key, label in LABELS.items()])
    for owner, n in sorted(counts["exceptions"].items()):
        typer.echo(f"open exception items for {owner}: {n}  (crossdock exceptions list --owner {owner})")
    if counts["lost"]:
        typer.echo("orders in no final state: " + ", ".join(counts["lost_orders"]))
    if workdir is not None:
        typer.echo(f"State kept in {summary.workdir}")
    typer.echo("every order reached a final state or an open exception item" if summary.ok
               else "some orders are LOST: in no final state and no exception item")  # fmt: skip
    raise typer.Exit(0 if summary.ok else 1)
