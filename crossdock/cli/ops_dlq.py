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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossdock.cli import runtime
from crossdock.cli.output import Format, FormatOption, print_fields, print_json, print_table

if TYPE_CHECKING:
    from crossdock.broker.dlq import DeadLetter
    from crossdock.settings import Settings
    from crossdock.store import Store, StoredDeadLetter

app = typer.Typer(
    rich_markup_mode=None,
    help="Dead letters (journaled in the store; <queue>.XQ on RabbitMQ): list, show, replay, purge.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
QueueOption = Annotated[list[str] | None, typer.Option("--queue", help="Only these queues (repeat).")]
UserOption = Annotated[str | None, typer.Option("--user", help="Who does it, for the audit log (default: $USER).")]
MIN_PREFIX = 8


@dataclass(frozen=True, slots=True)
class Letter:
    """A dead letter as the operator sees it: the store's row and/or the broker's copy."""

    summary: dict[str, Any]
    body: bytes | None
    stored: StoredDeadLetter | None
    on_broker: DeadLetter | None

    @property
    def id(self) -> str:
        return str(self.summary["id"])

    @property
    def replayable(self) -> bool:
        return bool(self.summary["replayable"]) and self.body is not None


def _stored_summary(row: StoredDeadLetter, on_broker: bool) -> dict[str, Any]:
    return {
        "id": row.message_id,
        "queue": row.queue,
        "actor": row.actor,
        "reason": row.reason,
        "error": row.error,
        "retries": row.retries,
        "business_key": row.business_key,
        "idempotency_key": row.idempotency_key,
        "dead_lettered_at": row.dead_lettered_at.isoformat(),
        "replayable": True,
        "journaled": True,
        "on_broker": on_broker,
    }


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

    queues = [canonical_queue(q) for q in (queue or LANES)]
    on_broker = {letter.id: letter for letter in _broker_letters(settings, queues)}
    letters = []
    for row in store.dead_letters.letters():
        if row.queue in queues:
            copy = on_broker.pop(row.message_id, None)
            letters.append(Letter(_stored_summary(row, copy is not None), store.dead_letters.body(row), row, copy))
    for copy in on_broker.values():  # only on the broker: rejected before a step ran, or not journaled
        summary = {**copy.summary(), "journaled": False, "on_broker": True}
        letters.append(Letter(summary, copy.body, None, copy))
    return letters


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
    from crossdock.broker.dlq import DeadLetterQueues, replay_body
    from crossdock.broker.republish import republisher
    from crossdock.store import AuditAction, LetterStatus

    wanted = {letter.id for letter in chosen}
    queues = sorted({letter.summary["queue"] for letter in chosen})
    dlq = DeadLetterQueues(url, queues, timeout_s=settings.network_timeout_s)
    try:
        # The broker's copies first: published (replay) and acknowledged in one pass per queue.
        from_broker = {x.id for x in (dlq.replay if replay else dlq.purge)(lambda x: x.id in wanted)}
        if replay:
            with republisher(url, timeout_s=settings.network_timeout_s) as publisher:
                for letter in chosen:
                    if letter.id not in from_broker and letter.body is not None:  # the broker's copy expired
                        publisher.publish(letter.summary["queue"], replay_body(letter.body))
    except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
        typer.echo(f"crossdock: cannot reach RabbitMQ: {exc!r}", err=True)
        raise typer.Exit(2) from exc
    status = LetterStatus.REPLAYED if replay else LetterStatus.PURGED
    for letter in chosen:
        if letter.stored is not None:
            store.dead_letters.mark(letter.id, status, who)
        action = AuditAction.REPLAY if replay else AuditAction.PURGE
        store.audit.record(who, action, f"dlq:{letter.id}", letter.summary)
    return chosen


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
