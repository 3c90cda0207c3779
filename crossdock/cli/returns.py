"""``crossdock returns list`` and ``crossdock returns show RMA``: each return's state, what happened to
it (authorization, refunds, the 3PL's receipt or rejection), the ERP's RMA and credit memo, the 180
sent to the 3PL, the inventory adjustments and the finance items still open. ``crossdock returns
import FILE --channel amazon``: Amazon's returns report (downloaded from Seller Central or the Reports
API) into ``returns.apply``.

The work is in :mod:`crossdock.actors.handlers.returns`. Exit codes: 0 found (imported), 1 no such
return, none listed, or a file that is no returns report, 2 could not run (configuration, database).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossdock.cli import runtime
from crossdock.cli.output import Format, FormatOption, JsonOption, print_fields, print_json, print_line, print_table

if TYPE_CHECKING:
    from crossdock.store import Store
    from crossdock.store.returns_book import ReturnRecord

app = typer.Typer(rich_markup_mode=None, help="Returns and refunds: state, events, credit memo, items.",
                  no_args_is_help=True)  # fmt: skip


def _summary(record: ReturnRecord) -> dict[str, Any]:
    state = record.state
    return {
        "channel": record.channel, "rma_number": record.rma_number, "order_id": record.order_id,
        "status": record.status, "updated_at": record.updated_at.isoformat(timespec="seconds"),
        "erp_rma_no": state.erp_rma_no, "credit_memo_no": state.credit_memo_no, "refunded": str(state.refunded),
        "open_items": list(state.open_items),
    }  # fmt: skip


def _detail(store: Store, record: ReturnRecord) -> dict[str, Any]:
    from crossdock.store.returns_book import ReturnsBook

    state = record.state
    events: list[dict[str, Any]] = []
    if state.authorization is not None:
        events.append({"event": "authorized", "at": state.authorization.created_at.isoformat(),
                       "lines": len(state.authorization.lines)})  # fmt: skip
    events += [{"event": "refunded", "refund_id": refund_id, "amount": str(amount)}
               for refund_id, amount in state.refunds]  # fmt: skip
    if state.received is not None:
        units = sum((line.quantity for line in state.received), Decimal(0))
        events.append({"event": "received", "units": str(units)})
    if state.rejected is not None:
        events.append({"event": "rejected", "reason": state.rejected})
    key = f"return:{record.channel}:{record.rma_number}"
    with store.db.read() as s:
        adjustments = ReturnsBook.adjustments(s, key)
    items = [item for code in state.open_items for item in _items(store, key, code)]
    authorization = state.authorization
    return {
        **_summary(record),
        "events": events,
        "items": [
            {"line_number": line.line_number, "sku": line.sku, "quantity": str(line.quantity),
             "reason": line.reason or line.reason_code, "refund_amount": None if line.refund_amount is None
             else str(line.refund_amount)}
            for line in (authorization.lines if authorization is not None else [])
        ],
        "received": None if state.received is None else [
            {"sku": line.sku, "quantity": str(line.quantity), "disposition": line.disposition.value}
            for line in state.received
        ],
        "warehouse_notice_outbox_id": state.warehouse_notice,
        "refund_confirmed": state.refund_confirmed,
        "inventory_adjustments": [{"sku": sku, "location": where, "quantity": str(quantity)}
                                  for sku, where, quantity in adjustments],
        "exception_items": items,
    }  # fmt: skip


def _items(store: Store, key: str, code: str) -> list[dict[str, Any]]:
    from crossdock.store import ItemFilter

    return [{"id": item.id, "code": item.code, "status": item.status.value, "message": item.error_message}
            for item in store.exceptions.find(ItemFilter(business_key=key, code=code))]  # fmt: skip


@app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option(help="Only returns in this state (credited, awaiting_receipt ...).")]
    = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel (shopify, amazon, walmart).")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 200,
    as_json: JsonOption = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Returns, most recently changed first. Exit 0 listed, 1 none, 2 could not run."""
    from crossdock.store.returns_book import ReturnsBook

    store = runtime.open_store(runtime.settings())
    try:
        with store.db.read() as s:
            records = ReturnsBook.records(s, channel=channel, status=status, limit=limit)
    finally:
        store.close()
    rows = [_summary(record) for record in records]
    if as_json:
        print_json({"returns": rows})
    else:
        columns = ("channel", "rma_number", "order_id", "status", "erp_rma_no", "credit_memo_no", "refunded",
                   "open_items", "updated_at")  # fmt: skip
        print_table(columns, [[", ".join(r[c]) if c == "open_items" else r[c] for c in columns] for r in rows],
                    title=f"{len(rows)} returns", fmt=fmt)  # fmt: skip
    if not rows:
        raise typer.Exit(1)


@app.command()
def show(
    rma: Annotated[str, typer.Argument(help="The RMA number (SH-8119, WM-77310 ...).")],
    channel: Annotated[str | None, typer.Option(help="The channel, when two channels share the RMA number.")] = None,
    as_json: JsonOption = False,
) -> None:
    """One return: state, events, ERP RMA and credit memo, items, what the 3PL received, inventory
    adjustments and open finance items. Exit 0 shown, 1 no such return, 2 could not run."""
    from crossdock.store.returns_book import ReturnsBook

    store = runtime.open_store(runtime.settings())
    try:
        with store.db.read() as s:
            records = ReturnsBook.records(s, channel=channel, rma_number=rma)
        if len(records) > 1:
            channels = ", ".join(r.channel for r in records)
            typer.echo(f"crossdock: return {rma} exists for several channels ({channels}): give --channel", err=True)
            raise typer.Exit(2)
        detail = _detail(store, records[0]) if records else None
    finally:
        store.close()
    if detail is None:
        if as_json:
            print_json({"found": False, "rma_number": rma})
        else:
            print_line(f"no return {rma}")
        raise typer.Exit(1)
    if as_json:
        print_json(detail)
        return
    print_fields({k: detail[k] for k in ("channel", "rma_number", "order_id", "status", "erp_rma_no",
                                          "credit_memo_no", "refunded", "refund_confirmed",
                                          "warehouse_notice_outbox_id", "updated_at")})  # fmt: skip
    print_table(("event", "detail"), [(e["event"], ", ".join(f"{k}={v}" for k, v in e.items() if k != "event"))
                                      for e in detail["events"]], title="events")  # fmt: skip
    print_table(("line", "sku", "quantity", "reason", "refund_amount"),
                [(i["line_number"], i["sku"], i["quantity"], i["reason"], i["refund_amount"]) for i in detail["items"]],
                title="items authorized")  # fmt: skip
    tables = (
        ("received", ("sku", "quantity", "disposition"), detail["received"] or []),
        ("inventory", ("sku", "location", "quantity"), detail["inventory_adjustments"]),
        ("open items", ("id", "code", "status", "message"), detail["exception_items"]),
    )
    for title, columns, rows in tables:
        if rows:
            print_table(columns, [[row[c] for c in columns] for row in rows], title=title)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE (tab-separated).")],
    channel: Annotated[str, typer.Option("--channel", help="Whose report it is (amazon).")] = "amazon",
    as_json: JsonOption = False,
) -> None:
    """Import Amazon's returns report: each RMA's authorization (and refund, or rejection) goes to
    returns.apply: queued on RabbitMQ when CROSSDOCK_BROKER_URL is set (a worker applies it), applied
    by this process otherwise (ERP and 3PL from <config_dir>/flows.yaml). A report imported twice
    changes nothing."""
    from crossdock.actors import graph
    from crossdock.actors.flow_config import load_flow_config
    from crossdock.actors.flows import call
    from crossdock.actors.handlers import delivery
    from crossdock.actors.handlers.marketplace import return_key
    from crossdock.actors.steps import sender
    from crossdock.actors.wiring import build_flow_broker, build_ports, flows_file
    from crossdock.canonical import Envelope
    from crossdock.canonical.inbound import OutboxDelivery
    from crossdock.canonical.marketplaces.amazon_returns import report_to_events
    from crossdock.errors import ConfigError, MappingError

    if channel != "amazon":
        raise ConfigError(f"crossdock imports returns reports from amazon, not {channel!r} (Walmart's are polled)")
    settings = runtime.settings()
    try:
        with file.open("rb") as stream:
            events = report_to_events(stream, file.name)
    except OSError as exc:
        typer.echo(f"crossdock: cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    except MappingError as exc:
        problems = "; ".join(f"{where}: {what}" for where, what in exc.errors[:10])
        typer.echo(f"crossdock: {exc}: {problems}", err=True)
        raise typer.Exit(1) from exc
    store = runtime.open_store(settings)
    ports = None
    try:
        ports = build_ports(load_flow_config(flows_file(settings)), store, marketplaces={})
        messages = [(Envelope(idempotency_key=return_key(e), source="returns.import", document_type="return_event"),
                     e) for e in events]  # fmt: skip
        if settings.broker_url is not None:
            broker = build_flow_broker(settings, ports)
            try:
                send = sender(broker)
                for envelope, event in messages:
                    send(graph.RETURNS_APPLY.name, envelope, event)
            finally:
                broker.close()
            how = "queued"
        else:
            for envelope, event in messages:
                for out in call(ports, graph.RETURNS_APPLY, envelope, event):
                    if isinstance(out.document, OutboxDelivery):
                        delivery.deliver(ports, out.document.outbox_id)
            how = "applied"
    finally:
        if ports is not None:
            ports.close()
        store.close()
    rows = [{"rma_number": e.rma_number, "kind": e.kind, "order_id": e.authorization.order_external_id
             if e.authorization is not None else None} for e in events]  # fmt: skip
    if as_json:
        print_json({"file": file.name, "channel": channel, "events": rows, "how": how})
        return
    print_line(f"{file.name}: {len({e.rma_number for e in events})} returns, {len(events)} events {how}")
