"""``crossdock outbox list / show / deliver``: the outbound X12 documents crossdock recorded, and
delivering the ones still pending from this process.

``deliver`` builds the partners' outbounds from ``<config_dir>/flows.yaml`` (as the worker does)
and delivers each row as ``outbox.deliver`` would: idempotent on the row, a file already there with
the same bytes counts as delivered, another file under the name is reported (the row stays held).
Delivering a held row by its id is the operator's "the other file was moved away": it is released,
delivered, and the action audited. Exit codes: 0 done, 1 nothing found or some delivery failed,
2 configuration error.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from crossdock.cli import runtime
from crossdock.cli.output import Format, FormatOption, JsonOption, print_fields, print_json, print_line, print_table

if TYPE_CHECKING:
    from crossdock.actors.handlers.ports import FlowPorts
    from crossdock.store import OutboxEntry, Store

app = typer.Typer(
    rich_markup_mode=None, help="Outbound X12 documents (940, 856, 997, TA1) and their delivery.", no_args_is_help=True
)
STATUSES = ("pending", "held", "delivered", "all")


def _table(entries: list[OutboxEntry], title: str, fmt: Format) -> None:
    rows = [(e.id, e.status, e.partner, e.set_id, f"{e.isa_control:09d}", e.file_name,
             e.created_at.isoformat(timespec="seconds"),
             ", ".join(f"{k}={v}" for k, v in e.business_keys.items()))
            for e in entries]  # fmt: skip
    print_table(("id", "status", "partner", "set", "ISA13", "file", "created", "keys"), rows, title=title, fmt=fmt)


@app.command("list")
def list_command(
    status: Annotated[str, typer.Option(help="pending, held, delivered or all.")] = "pending",
    partner: Annotated[str | None, typer.Option(help="Only this trading partner.")] = None,
    set_id: Annotated[str | None, typer.Option("--set", help="Only this transaction set (940, 856, 997, TA1).")] = None,
    older_than: Annotated[float, typer.Option(min=0, help="Only rows at least this many seconds old.")] = 0,
    limit: Annotated[int, typer.Option(min=1)] = 1000,
    as_json: JsonOption = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Outbox rows, oldest first (default: pending). Exit 0 rows listed, 1 none, 2 could not run."""
    if status not in STATUSES:
        typer.echo(f"crossdock: --status must be one of {', '.join(STATUSES)}", err=True)
        raise typer.Exit(2)
    store = runtime.open_store(runtime.settings())
    try:
        entries = store.outbox.entries(status=status, partner=partner, set_id=set_id,
                                    older_than_s=older_than, limit=limit)  # fmt: skip
        counts = store.outbox.counts()
    finally:
        store.close()
    if as_json:
        print_json({"counts": counts, "rows": [e.to_dict() for e in entries]})
    else:
        totals = ", ".join(f"{n} {s}" for s, n in counts.items())
        _table(entries, f"{len(entries)} {status} ({totals} in all)", fmt)
    if not entries:
        raise typer.Exit(1)


@app.command()
def show(
    outbox_id: Annotated[int, typer.Argument(help="The outbox row's id.")],
    content: Annotated[bool, typer.Option("--content", help="Print the document's bytes instead.")] = False,
    as_json: JsonOption = False,
) -> None:
    """One outbox row: partner, set, control numbers, file name, hash, business keys, delivery."""
    store = runtime.open_store(runtime.settings())
    try:
        entry = store.outbox.get(outbox_id)
        data = store.outbox.content(outbox_id) if content and entry is not None else None
    finally:
        store.close()
    if entry is None:
        typer.echo(f"crossdock: no outbox row {outbox_id}", err=True)
        raise typer.Exit(1)
    if data is not None:
        typer.echo(data.decode("latin-1"), nl=False)
    elif as_json:
        print_json(entry.to_dict())
    else:
        print_fields(entry.to_dict())


@app.command()
def deliver(
    ids: Annotated[list[int] | None, typer.Argument(help="Outbox row ids (a held row is released).")] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Every pending row (not held ones).")] = False,
    older_than: Annotated[float, typer.Option(min=0, help="With --pending: rows at least this many seconds old.")] = 0,
    user: Annotated[str | None, typer.Option(help="Who releases held rows (audit); default: the OS user.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Deliver outbox rows from this process, each once. Exit 0 all delivered, 1 none or some failed,
    2 could not run."""
    from crossdock.actors.flow_config import load_flow_config
    from crossdock.actors.wiring import build_ports, flows_file
    from crossdock.errors import CrossdockError

    if not ids and not pending:
        typer.echo("crossdock: name outbox ids or --pending", err=True)
        raise typer.Exit(2)
    settings = runtime.settings()
    store = runtime.open_store(settings)
    try:
        ports = build_ports(load_flow_config(flows_file(settings)), store, marketplaces={})
    except CrossdockError as exc:
        store.close()
        typer.echo(f"crossdock: {exc}", err=True)
        raise typer.Exit(2) from None
    results: list[dict[str, object]] = []
    try:
        targets = list(ids or []) + [e.id for e in store.outbox.entries(status="pending", older_than_s=older_than)]
        for outbox_id in dict.fromkeys(targets):
            results.append(_deliver_one(ports, store, outbox_id, user or getpass.getuser()))
    finally:
        ports.close()
        store.close()
    if as_json:
        print_json({"results": results})
    else:
        for r in results:
            print_line(f"{r['id']}: {r['result']}" + (f" {r['detail']}" if r.get("detail") else ""))
    if not results or any(r["result"] not in ("delivered", "already delivered") for r in results):
        raise typer.Exit(1)


def _deliver_one(ports: FlowPorts, store: Store, outbox_id: int, who: str) -> dict[str, object]:
    from crossdock.actors.handlers import delivery
    from crossdock.errors import CrossdockError

    before = store.outbox.get(outbox_id)
    if before is None:
        return {"id": outbox_id, "result": "not found"}
    if before.delivered_at is not None:
        return {"id": outbox_id, "result": "already delivered", "detail": before.location}
    if before.held:
        store.outbox.release(outbox_id)
        store.audit.record(who, "release", f"outbox:{outbox_id}", {"held": before.held})
    try:
        after = delivery.deliver(ports, outbox_id)
    except CrossdockError as exc:
        return {"id": outbox_id, "result": "failed", "detail": str(exc)}
    return {"id": outbox_id, "result": "delivered", "detail": None if after is None else after.location}
