"""``crossdock reprocess``: run stored raw payloads from their flow's first step again (audited).

By raw payload id (``--raw``), by exception item (``--item``: the payload the item's flow started
from), or by the exception filters (``--status --owner --code --step --channel --since`` with
``--yes``). Several items from one payload (the POs of one 850 file) reprocess it once. See
:mod:`crossdock.actors.reprocess` for why this is safe: later steps keep their business keys.
"""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossdock.cli import item_filters as f
from crossdock.cli import runtime
from crossdock.cli.output import print_line

if TYPE_CHECKING:
    from crossdock.broker.republish import Republisher
    from crossdock.store import Store, WorkItem


def _publisher(publisher: Republisher) -> Any:
    from crossdock.actors.reprocess import publisher_for

    return publisher_for(publisher)


def _plan(store: Store, raw: list[int], items: list[WorkItem]) -> dict[int, list[WorkItem]]:
    """Payload id → the items it is reprocessed for (none for a payload named with --raw)."""
    from crossdock.actors.reprocess import ReprocessError, plan

    try:
        return plan(store, raw, items)
    except ReprocessError as exc:
        typer.echo(f"crossdock: {exc}", err=True)
        raise typer.Exit(1) from exc


def reprocess_command(
    raw: Annotated[list[int] | None, typer.Option("--raw", help="A stored raw payload id (repeat).")] = None,
    item: Annotated[list[int] | None, typer.Option("--item", help="An exception item id (repeat).")] = None,
    note: Annotated[str, typer.Option(help="What was fixed.")] = "reprocessed after the fix",
    user: Annotated[str | None, typer.Option("--user", help="Who does it (default: $USER).")] = None,
    owner: f.OwnerOption = None,
    status: f.StatusOption = None,
    code: f.CodeOption = None,
    step: f.StepOption = None,
    channel: f.ChannelOption = None,
    since: f.SinceOption = None,
    yes: f.YesOption = False,
    dry_run: f.DryRunOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run stored payloads from their flow's first step again, as a new audited attempt (when the cause
    was upstream of the parked step: a channel customer, an item map fixed in config). One ERP order
    and one 940 per order still hold: later steps keep their business keys."""
    from crossdock.actors.reprocess import ReprocessError, reprocess
    from crossdock.broker.republish import republisher

    settings = runtime.settings()
    url = runtime.require_broker(settings, "reprocessing")
    who = user or getpass.getuser()
    filtered = f.has_filters(owner, status, code, step, channel, since)
    if not (raw or item or filtered):
        typer.echo("crossdock: name --raw payload ids, --item ids, or select items with filters", err=True)
        raise typer.Exit(2)
    store = runtime.open_store(settings)
    done: list[dict[str, Any]] = []
    try:
        items = f.select_items(store, item, None) if item else []
        if filtered:
            where = f.item_filter(owner=owner, status=status, code=code, step=step, channel=channel, since=since)
            items += store.exceptions.find(where)
        plan = _plan(store, raw or [], items)
        by_ids = not filtered
        if not f.confirmed(items, by_ids=by_ids, yes=yes, dry_run=dry_run, verb="reprocessed"):
            typer.echo(json.dumps({str(k): [i.id for i in v] for k, v in plan.items()}) if as_json else
                       f"payloads: {', '.join(map(str, plan)) or 'none'}")  # fmt: skip
            raise typer.Exit(0 if dry_run else 1)
        try:
            with republisher(url, timeout_s=settings.network_timeout_s) as publisher:
                publish = _publisher(publisher)
                for payload_id, for_items in plan.items():
                    result = reprocess(store, publish, payload_id, who, note=note, items=for_items)
                    done.append({"raw_payload_id": payload_id, "step": result.step, "message_id": result.message_id,
                                 "idempotency_key": result.idempotency_key, "items": list(result.items)})  # fmt: skip
        except ReprocessError as exc:
            typer.echo(f"crossdock: {exc}", err=True)
            raise typer.Exit(1) from exc
        except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
            typer.echo(f"crossdock: cannot publish to RabbitMQ: {exc!r} ({len(done)} reprocessed before)", err=True)
            raise typer.Exit(2) from exc
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({"reprocessed": done}, indent=2))
    else:
        print_line(f"reprocessed {len(done)} payloads by {who} ({sum(len(d['items']) for d in done)} items)")
    if not done:
        raise typer.Exit(1)
