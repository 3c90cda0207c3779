"""``crossdock dlq list|show|replay|purge``: dead letters, from the store's journal and RabbitMQ.

The worker journals each dead letter in the store (body, step, reason, error) besides putting it on
``<queue>.XQ``, where RabbitMQ drops it after 7 days. These commands read the store first and add what
only the broker holds (bytes that are not a Dramatiq message, rejected before any step ran). A replay
publishes the message to its queue with confirms, removes the broker's copy if it is still there and
marks the store's row ``replayed``; every replay and purge is audited. Ids may be given by a unique
prefix of at least 8 characters.
"""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING, Annotated

import typer

from crossdock.cli import runtime
from crossdock.cli.output import Format, FormatOption, print_fields, print_json, print_table

if TYPE_CHECKING:
    from crossdock.broker.dlq import DeadLetter
    from crossdock.broker.recovery import Letter
    from crossdock.settings import Settings
    from crossdock.store import Store

app = typer.Typer(
    rich_markup_mode=None,
    help="Dead letters (journaled in the store; <queue>.XQ on RabbitMQ): list, show, replay, purge.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
QueueOption = Annotated[list[str] | None, typer.Option("--queue", help="Only these queues (repeat).")]
UserOption = Annotated[str | None, typer.Option("--user", help="Who does it, for the audit log (default: $USER).")]
MIN_PREFIX = 8


def _require_broker(settings: Settings) -> str:
    return runtime.require_broker(settings, "dead letters (they live on RabbitMQ)")


def _broker_letters(settings: Settings, queues: list[str]) -> list[DeadLetter]:
    from crossdock.broker.dlq import DeadLetterQueues

    try:
        return DeadLetterQueues(_require_broker(settings), queues, timeout_s=settings.network_timeout_s).letters()
    except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
        typer.echo(
            f"crossdock: cannot read the dead-letter queues on RabbitMQ ({exc!r}); showing the store's", err=True
        )
        return []


def collect(settings: Settings, store: Store, queue: list[str] | None) -> list[Letter]:
    from crossdock.broker.lanes import LANES, canonical_queue
    from crossdock.broker.recovery import collect_letters

    queues = [canonical_queue(q) for q in (queue or LANES)]
    return collect_letters(store, queues, _broker_letters(settings, queues))


def pick(letters: list[Letter], ids: list[str]) -> list[Letter]:
    """The letters named by ``ids`` (whole or a unique prefix of at least 8 characters); exit 1 otherwise."""
    chosen: dict[str, Letter] = {}
    for wanted in ids:
        found = [x for x in letters if x.id == wanted] or (
            [x for x in letters if x.id.startswith(wanted)] if len(wanted) >= MIN_PREFIX else []
        )
        if len(found) != 1:
            problem = "names several dead letters: give more of it" if found else "names no dead letter"
            typer.echo(f"crossdock: {wanted!r} {problem}", err=True)
            raise typer.Exit(1)
        chosen[found[0].id] = found[0]
    return list(chosen.values())


def _table(letters: list[Letter], title: str, fmt: Format = Format.TABLE) -> None:
    rows = []
    for letter in letters:
        s = letter.summary
        where = "store+broker" if s["journaled"] and s["on_broker"] else "store" if s["journaled"] else "broker"
        rows.append([letter.id, s["queue"], s["actor"], s["retries"], s["business_key"], where, s["reason"]])
    print_table(["id", "queue", "actor", "retries", "business key", "where", "reason"], rows, title=title, fmt=fmt)


@app.command("list")
def list_(queue: QueueOption = None, as_json: JsonOption = False, fmt: FormatOption = Format.TABLE) -> None:
    """Dead letters with actor, error, retries, business key and where they are kept."""
    settings = runtime.settings()
    _require_broker(settings)
    store = runtime.open_store(settings)
    try:
        letters = collect(settings, store, queue)
    finally:
        store.close()
    if as_json:
        print_json([letter.summary for letter in letters])
    else:
        _table(letters, f"{len(letters)} dead letters", fmt)


@app.command()
def show(
    letter_id: Annotated[str, typer.Argument(help="A dead letter id from `dlq list` (or 8+ leading characters).")],
    queue: QueueOption = None,
    as_json: JsonOption = False,
) -> None:
    """One dead letter in full, with its body. Exit 1 when the id names none (or several)."""
    settings = runtime.settings()
    _require_broker(settings)
    store = runtime.open_store(settings)
    try:
        [letter] = pick(collect(settings, store, queue), [letter_id])
    finally:
        store.close()
    detail = {**letter.summary, "body": (letter.body or b"").decode("utf-8", errors="replace")}
    if as_json:
        print_json(detail)
        return
    print_fields(detail)


def _take(
    ids: list[str] | None, all_: bool, queue: list[str] | None, user: str | None, *, replay: bool, as_json: bool
) -> None:
    if not ids and not all_:
        typer.echo("crossdock: name dead letter ids, or --all", err=True)
        raise typer.Exit(2)
    settings = runtime.settings()
    url = _require_broker(settings)
    who = user or getpass.getuser()
    store = runtime.open_store(settings)
    taken: list[Letter] = []
    try:
        letters = collect(settings, store, queue)
        chosen = letters if all_ else pick(letters, ids or [])
        if replay:
            chosen = [letter for letter in chosen if letter.replayable]
        taken = _act(settings, url, store, chosen, who, replay=replay)
    finally:
        store.close()
    verb = "replayed" if replay else "purged"
    if as_json:
        typer.echo(json.dumps({verb: [letter.summary for letter in taken]}, indent=2))
    else:
        _table(taken, f"{verb} {len(taken)}")
    if not taken:
        raise typer.Exit(1)


def _act(settings: Settings, url: str, store: Store, chosen: list[Letter], who: str, *, replay: bool) -> list[Letter]:
    """Replay (publish, then remove the broker's copy) or purge each letter; mark and audit it."""
    from crossdock.broker.recovery import take_letters

    try:
        return take_letters(store, url, chosen, who, replay=replay, timeout_s=settings.network_timeout_s)
    except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
        typer.echo(f"crossdock: cannot reach RabbitMQ: {exc!r}", err=True)
        raise typer.Exit(2) from exc


@app.command()
def replay(
    ids: Annotated[list[str] | None, typer.Argument(help="Dead letter ids to replay.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Replay every replayable dead letter.")] = False,
    queue: QueueOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send dead letters back to their queue (through the step's idempotency check), from the broker's
    copy or, after it expired, from the store's."""
    _take(ids, all_, queue, user, replay=True, as_json=as_json)


@app.command()
def purge(
    ids: Annotated[list[str] | None, typer.Argument(help="Dead letter ids to delete.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Delete every dead letter.")] = False,
    queue: QueueOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete dead letters from the broker and mark them purged in the store (audited)."""
    _take(ids, all_, queue, user, replay=False, as_json=as_json)
