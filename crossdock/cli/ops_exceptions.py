"""``crossdock exceptions list|show|replay|resolve|ignore``: business errors waiting for a person.

``replay`` sends each parked message to its step again and leaves the item OPEN: the item is resolved
by the hop that succeeds (in that hop's transaction, by whoever asked for the replay, with their
note); a replay that parks again adds the attempt to the item's history. Every bulk command takes
filters, prints the count, and acts only with ``--yes`` (``--dry-run`` changes nothing).
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossdock.cli import item_filters as f
from crossdock.cli import runtime
from crossdock.cli.output import Format, FormatOption, print_fields, print_json, print_line, print_table

if TYPE_CHECKING:
    from crossdock.settings import Settings
    from crossdock.store import ItemStatus, Store, WorkItem

app = typer.Typer(
    rich_markup_mode=None,
    help="Exception work items: business errors for integration, warehouse or finance.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
IdsArgument = Annotated[list[int] | None, typer.Argument(help="Exception item ids (or select them with filters).")]
UserOption = Annotated[str | None, typer.Option("--user", help="Who does it, for the audit log (default: $USER).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Act even on items already in that status.")]


def as_dict(item: WorkItem) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(item), default=str))  # type: ignore[no-any-return]


def _table(items: list[WorkItem], title: str, fmt: Format = Format.TABLE) -> None:
    from crossdock.store import AttemptKind

    columns = ["id", "status", "owner", "step", "code", "channel", "business key", "tries", "error"]
    rows = [
        [i.id, i.status.value, i.owner.value, i.actor, i.code or i.error_class, i.channel, i.business_key,
         sum(a.kind is AttemptKind.PARKED for a in i.attempts) or "-", i.error_message]
        for i in items
    ]  # fmt: skip
    print_table(columns, rows, title=title, fmt=fmt)


@app.command("list")
def list_(
    owner: f.OwnerOption = None,
    status: f.StatusOption = None,
    code: f.CodeOption = None,
    step: f.StepOption = None,
    channel: f.ChannelOption = None,
    since: f.SinceOption = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many (oldest first).")] = 1000,
    as_json: JsonOption = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Exception items matching the filters (default: open), oldest first, with their count."""
    where = f.item_filter(owner=owner, status=status, code=code, step=step, channel=channel, since=since)
    store = runtime.open_store(runtime.settings())
    try:
        items = store.exceptions.find(where, limit=limit)
    finally:
        store.close()
    if as_json:
        print_json([as_dict(i) for i in items])
        return
    _table(items, f"{len(items)} items", fmt)


@app.command()
def show(item_id: int, as_json: JsonOption = False) -> None:
    """One item with its notes and its history of attempts (parked, replay, reprocess, succeeded).
    Exit 1 when there is no such item."""
    from crossdock.store import WorkItemNotFoundError

    store = runtime.open_store(runtime.settings())
    try:
        item = store.exceptions.get(item_id)
    except WorkItemNotFoundError as exc:
        typer.echo(f"crossdock: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        store.close()
    if as_json:
        print_json(as_dict(item))
        return
    print_fields({key: value for key, value in as_dict(item).items() if key not in ("notes", "attempts")})
    for attempt in item.attempts:
        who = f" by {attempt.who}" if attempt.who else ""
        print_line(f"  {attempt.at.isoformat(timespec='seconds')} {attempt.kind.value}{who}: {attempt.detail or ''}")
    for note in item.notes:
        print_line(f"  note {note.created_at.isoformat(timespec='seconds')} {note.author}: {note.text}")


def _close(
    ids: list[int] | None,
    where: Any,
    *,
    to: ItemStatus,
    note: str,
    user: str | None,
    force: bool,
    yes: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    from crossdock.store import ItemStatus, WorkItemStateError

    who = user or getpass.getuser()
    verb = to.value
    store = runtime.open_store(runtime.settings())
    done: list[WorkItem] = []
    refused: list[str] = []
    try:
        items = f.select_items(store, ids, where)
        if not f.confirmed(items, by_ids=bool(ids), yes=yes, dry_run=dry_run, verb=verb):
            _print(items, as_json, "matching")
            raise typer.Exit(0 if dry_run else 1)
        close = store.exceptions.resolve if to is ItemStatus.RESOLVED else store.exceptions.ignore
        for item in items:
            try:
                done.append(close(item.id, who, note, force=force))
            except WorkItemStateError as exc:
                refused.append(str(exc))
    finally:
        store.close()
    for reason in refused:
        typer.echo(f"crossdock: {reason}", err=True)
    if as_json:
        typer.echo(json.dumps({verb: [as_dict(i) for i in done], "refused": refused}, indent=2))
    else:
        print_line(f"{verb} {len(done)} items by {who}" + (f"; {len(refused)} refused" if refused else ""))
    if refused or not done:
        raise typer.Exit(1)


def _print(items: list[WorkItem], as_json: bool, title: str) -> None:
    if as_json:
        print_json([as_dict(i) for i in items])
    else:
        _table(items, f"{len(items)} items {title}")


@app.command()
def resolve(
    ids: IdsArgument = None,
    note: Annotated[str, typer.Option(help="What was done (kept with the item and in the audit log).")] = "",
    user: UserOption = None,
    force: ForceOption = False,
    owner: f.OwnerOption = None,
    status: f.StatusOption = None,
    code: f.CodeOption = None,
    step: f.StepOption = None,
    channel: f.ChannelOption = None,
    since: f.SinceOption = None,
    yes: f.YesOption = False,
    dry_run: f.DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Mark items resolved, with a note and who did it (audited). An already resolved item is refused
    unless --force."""
    if not note:
        raise typer.BadParameter("say what was done", param_hint="--note")
    where = (
        f.item_filter(owner=owner, status=status, code=code, step=step, channel=channel, since=since)
        if f.has_filters(owner, status, code, step, channel, since)
        else None
    )
    from crossdock.store import ItemStatus

    _close(ids, where, to=ItemStatus.RESOLVED, note=note, user=user, force=force, yes=yes, dry_run=dry_run,
           as_json=as_json)  # fmt: skip


@app.command()
def ignore(
    ids: IdsArgument = None,
    note: Annotated[str, typer.Option(help="Why nothing is to be done (kept with the item, audited).")] = "",
    user: UserOption = None,
    force: ForceOption = False,
    owner: f.OwnerOption = None,
    status: f.StatusOption = None,
    code: f.CodeOption = None,
    step: f.StepOption = None,
    channel: f.ChannelOption = None,
    since: f.SinceOption = None,
    yes: f.YesOption = False,
    dry_run: f.DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Dismiss items that need no action (a test order, a cancelled order), audited."""
    if not note:
        raise typer.BadParameter("say why it is ignored", param_hint="--note")
    where = (
        f.item_filter(owner=owner, status=status, code=code, step=step, channel=channel, since=since)
        if f.has_filters(owner, status, code, step, channel, since)
        else None
    )
    from crossdock.store import ItemStatus

    _close(ids, where, to=ItemStatus.IGNORED, note=note, user=user, force=force, yes=yes, dry_run=dry_run,
           as_json=as_json)  # fmt: skip


def broker_url(settings: Settings, what: str) -> str:
    return runtime.require_broker(settings, what)


@app.command()
def replay(
    ids: IdsArgument = None,
    note: Annotated[str, typer.Option(help="What was fixed.")] = "replayed after the fix",
    user: UserOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replay items that are not open, too.")] = False,
    owner: f.OwnerOption = None,
    status: f.StatusOption = None,
    code: f.CodeOption = None,
    step: f.StepOption = None,
    channel: f.ChannelOption = None,
    since: f.SinceOption = None,
    yes: f.YesOption = False,
    dry_run: f.DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Send parked messages to their step again (after fixing the cause), audited. The item stays open
    until the step succeeds; if it parks again, the attempt is in the item's history."""
    from crossdock.broker.republish import republisher

    settings = runtime.settings()
    url = broker_url(settings, "replaying")
    who = user or getpass.getuser()
    where = (
        f.item_filter(owner=owner, status=status, code=code, step=step, channel=channel, since=since)
        if f.has_filters(owner, status, code, step, channel, since)
        else None
    )
    store = runtime.open_store(settings)
    sent: list[dict[str, Any]] = []
    refused: list[str] = []
    try:
        items = f.select_items(store, ids, where)
        if not f.confirmed(items, by_ids=bool(ids), yes=yes, dry_run=dry_run, verb="replayed"):
            _print(items, as_json, "matching")
            raise typer.Exit(0 if dry_run else 1)
        try:
            with republisher(url, timeout_s=settings.network_timeout_s) as publisher:
                for item in items:
                    reason = _replay_one(store, publisher, item, who, note, force=force)
                    if reason is None:
                        sent.append({"item": item.id, "actor": item.actor, "queue": item.queue})
                    else:
                        refused.append(reason)
        except typer.Exit:
            raise
        except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
            typer.echo(f"crossdock: cannot publish to RabbitMQ: {exc!r} ({len(sent)} replayed before)", err=True)
            raise typer.Exit(2) from exc
    finally:
        store.close()
    for reason in refused:
        typer.echo(f"crossdock: {reason}", err=True)
    if as_json:
        typer.echo(json.dumps({"replayed": sent, "refused": refused}, indent=2))
    else:
        print_line(
            f"replayed {len(sent)} items by {who}; each stays open until its step succeeds "
            "(`crossdock exceptions show ID` has its attempts)"
        )
    if refused or not sent:
        raise typer.Exit(1)


def _replay_one(store: Store, publisher: Any, item: WorkItem, who: str, note: str, *, force: bool) -> str | None:
    """Replay one item; returns why not, or ``None`` when sent."""
    from crossdock.broker.recovery import replay_item

    return replay_item(store, publisher, item, who, note, force=force)
