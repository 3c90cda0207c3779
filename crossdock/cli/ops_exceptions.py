"""``crossdock exceptions list|show|resolve``: business errors waiting for a person."""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crossdock.broker.republish import republish
from crossdock.errors import Owner
from crossdock.settings import load_settings
from crossdock.store import AuditAction, ItemStatus, Store, WorkItem, WorkItemNotFoundError

app = typer.Typer(
    help="Exception work items: business errors for integration, warehouse or finance.", no_args_is_help=True
)
console = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _as_dict(item: WorkItem) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(item), default=str))


@app.command("list")
def list_(
    status: Annotated[ItemStatus | None, typer.Option(help="open, resolved or ignored (default: open).")] = None,
    owner: Annotated[Owner | None, typer.Option(help="Only this owner role.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Exception items, newest first."""
    store = Store.from_settings(load_settings())
    try:
        items = store.exceptions.items(status=status or ItemStatus.OPEN, owner=owner)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps([_as_dict(i) for i in items], indent=2))
        return
    table = Table("id", "status", "owner", "business key", "actor", "error", "created", title=f"{len(items)} items")
    for i in items:
        table.add_row(
            str(i.id),
            i.status.value,
            i.owner.value,
            i.business_key or "-",
            i.actor or "-",
            f"{i.error_class}: {i.error_message}"[:70],
            i.created_at.isoformat(timespec="seconds"),
        )
    console.print(table)


@app.command()
def show(item_id: int, as_json: JsonOption = False) -> None:
    """One item with its notes."""
    store = Store.from_settings(load_settings())
    try:
        item = store.exceptions.get(item_id)
    except WorkItemNotFoundError as exc:
        typer.echo(f"crossdock: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(_as_dict(item), indent=2))
        return
    for key, value in _as_dict(item).items():
        console.print(f"[bold]{key}[/bold]: {value}")


@app.command()
def resolve(
    item_id: int,
    note: Annotated[str, typer.Option(help="What was done (kept with the item and in the audit log).")],
    user: Annotated[str | None, typer.Option(help="Who resolved it (default: $USER).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Mark an item resolved, with a note and who did it (audited)."""
    store = Store.from_settings(load_settings())
    try:
        item = store.exceptions.resolve(item_id, user or getpass.getuser(), note)
    except WorkItemNotFoundError as exc:
        typer.echo(f"crossdock: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(_as_dict(item), indent=2))
    else:
        console.print(f"resolved item {item.id} by {item.resolved_by}")


@app.command()
def replay(
    item_id: int,
    note: Annotated[str, typer.Option(help="What was fixed.")] = "replayed after the fix",
    user: Annotated[str | None, typer.Option(help="Who replays it (default: $USER).")] = None,
) -> None:
    """Send a parked message to its step again (after fixing the cause), then resolve the item (audited)."""
    settings = load_settings()
    if settings.broker_url is None:
        typer.echo("crossdock: no broker URL: replaying needs RabbitMQ; set CROSSDOCK_BROKER_URL", err=True)
        raise typer.Exit(2)
    who = user or getpass.getuser()
    store = Store.from_settings(settings)
    try:
        item = store.exceptions.get(item_id)
        raw = store.raw.get(item.raw_payload_id) if item.raw_payload_id is not None else None
        if raw is None or item.actor is None or item.queue is None:
            typer.echo(f"crossdock: exception item {item_id} has no message to replay", err=True)
            raise typer.Exit(1)
        message_id = republish(
            settings.broker_url,
            queue=item.queue,
            actor=item.actor,
            payload=raw.content.decode(),
            timeout_s=settings.network_timeout_s,
        )
        store.audit.record(who, AuditAction.REPLAY, f"exception:{item_id}", {"message_id": message_id, "note": note})
        store.exceptions.resolve(item_id, who, note)
    except WorkItemNotFoundError as exc:
        typer.echo(f"crossdock: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        store.close()
    console.print(f"replayed message {message_id} to {item.actor} on {item.queue}; item {item_id} resolved")
