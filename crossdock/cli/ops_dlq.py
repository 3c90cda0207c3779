"""``crossdock dlq list|show|replay|purge``: dead letters on RabbitMQ, every replay and purge audited."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from crossdock.broker.dlq import DeadLetter, DeadLetterQueues, by_ids, everything
from crossdock.broker.lanes import LANES
from crossdock.settings import Settings, load_settings
from crossdock.store import AuditAction, Store

app = typer.Typer(help="Dead letters (<queue>.XQ on RabbitMQ): list, show, replay, purge.", no_args_is_help=True)
console = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
QueueOption = Annotated[list[str] | None, typer.Option("--queue", help="Only these queues (repeat).")]
UserOption = Annotated[str | None, typer.Option("--user", help="Who does it, for the audit log (default: $USER).")]


def _queues(settings: Settings, queue: list[str] | None) -> DeadLetterQueues:
    if settings.broker_url is None:
        typer.echo("crossdock: no broker URL: dead letters live on RabbitMQ; set CROSSDOCK_BROKER_URL", err=True)
        raise typer.Exit(2)
    return DeadLetterQueues(settings.broker_url, queue or LANES, timeout_s=settings.network_timeout_s)


def _table(letters: list[DeadLetter], title: str) -> Table:
    table = Table("id", "queue", "actor", "retries", "business key", "reason", title=title)
    for letter in letters:
        table.add_row(
            letter.id,
            letter.queue,
            letter.actor or "-",
            str(letter.retries),
            letter.business_key or "-",
            letter.reason[:80],
        )
    return table


@app.command("list")
def list_(queue: QueueOption = None, as_json: JsonOption = False) -> None:
    """Dead letters with actor, error, retries and business key."""
    letters = _queues(load_settings(), queue).letters()
    if as_json:
        typer.echo(json.dumps([letter.summary() for letter in letters], indent=2))
    else:
        console.print(_table(letters, f"{len(letters)} dead letters"))


@app.command()
def show(
    letter_id: Annotated[str, typer.Argument(help="A dead letter id from `dlq list`.")],
    queue: QueueOption = None,
    as_json: JsonOption = False,
) -> None:
    """One dead letter in full, with its body."""
    letter = _queues(load_settings(), queue).show(letter_id)
    if letter is None:
        typer.echo(f"crossdock: no dead letter {letter_id}", err=True)
        raise typer.Exit(1)
    detail = letter.detail()
    if as_json:
        typer.echo(json.dumps(detail, indent=2))
        return
    for key, value in detail.items():
        console.print(f"[bold]{key}[/bold]: {value}")


def _take(
    ids: list[str] | None, all_: bool, queue: list[str] | None, user: str | None, *, replay: bool, as_json: bool
) -> None:
    if not ids and not all_:
        typer.echo("crossdock: name dead letter ids, or --all", err=True)
        raise typer.Exit(2)
    settings = load_settings()
    dlq = _queues(settings, queue)
    select = everything if all_ else by_ids(ids or [])
    taken = dlq.replay(select) if replay else dlq.purge(select)
    who = user or getpass.getuser()
    store = Store.from_settings(settings)
    try:
        for letter in taken:
            store.audit.record(
                who, AuditAction.REPLAY if replay else AuditAction.PURGE, f"dlq:{letter.id}", letter.summary()
            )
    finally:
        store.close()
    verb = "replayed" if replay else "purged"
    if as_json:
        typer.echo(json.dumps({verb: [letter.summary() for letter in taken]}, indent=2))
    else:
        console.print(_table(taken, f"{verb} {len(taken)}"))
    if not taken:
        raise typer.Exit(1)


@app.command()
def replay(
    ids: Annotated[list[str] | None, typer.Argument(help="Dead letter ids to replay.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Replay every replayable dead letter.")] = False,
    queue: QueueOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send dead letters back to their queue (through the step's idempotency check)."""
    _take(ids, all_, queue, user, replay=True, as_json=as_json)


@app.command()
def purge(
    ids: Annotated[list[str] | None, typer.Argument(help="Dead letter ids to delete.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Delete every dead letter.")] = False,
    queue: QueueOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete dead letters for good (audited)."""
    _take(ids, all_, queue, user, replay=False, as_json=as_json)
