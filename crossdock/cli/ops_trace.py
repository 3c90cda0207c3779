"""``crossdock trace KEY``: every hop of the messages a key touches, in time order, with the documents
linked to them, the exception items and the raw payload it names.

KEY is a business key (order id, PO number, ERP order, ISA/GS/ST control number, tracking number), a
message or correlation id (whole, or a unique prefix of at least 8 characters: ``trace`` prints 12),
an exception item id or a raw payload id. Exit 0 when something matches, 1 when nothing does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossdock.cli import runtime
from crossdock.cli.output import Format, FormatOption, JsonOption, print_json, print_line, print_table

if TYPE_CHECKING:
    from crossdock.store import Hop, RawRef, Store, TraceResult, WorkItem


def _hop(h: Hop) -> dict[str, Any]:
    return {
        "at": h.started_at.isoformat(),
        "actor": h.actor,
        "queue": h.queue,
        "status": h.status.value,
        "duration_ms": h.duration_ms,
        "message_id": h.message_id,
        "causation_id": h.causation_id,
        "correlation_id": h.correlation_id,
        "retries": h.retries,
        "error": h.error_message,
    }


def _item(i: WorkItem) -> dict[str, Any]:
    return {
        "id": i.id,
        "status": i.status.value,
        "owner": i.owner.value,
        "step": i.actor,
        "code": i.code or i.error_class,
        "business_key": i.business_key,
        "raw_payload_id": i.raw_payload_id,
        "message_id": i.message_id,
        "error": i.error_message,
    }


def _raw(ref: RawRef) -> dict[str, Any]:
    return {
        "id": ref.id,
        "source": ref.source,
        "name": ref.name,
        "size": ref.size,
        "sender": ref.sender,
        "interchange_control": ref.interchange_control,
        "received_at": ref.received_at.isoformat(),
        "accepted_at": ref.accepted_at.isoformat() if ref.accepted_at else None,
    }


def _look_up(store: Store, key: str) -> tuple[list[TraceResult], list[WorkItem], list[RawRef]]:
    """The traces, exception items and raw payloads ``key`` names."""
    from crossdock.store import ItemFilter, WorkItemNotFoundError

    traces = [store.trace(key)]
    items = {i.id: i for i in store.exceptions.find(ItemFilter(status=None, business_key=key))}
    raws = []
    if key.isdigit():
        number = int(key)
        try:
            item = store.exceptions.get(number)
            items[item.id] = item
        except WorkItemNotFoundError:
            pass
        ref = store.raw.ref(number)
        if ref is not None:
            raws.append(ref)
            items |= {i.id: i for i in store.exceptions.find(ItemFilter(status=None, raw_payload_id=number))}
            items |= {
                i.id: i for i in store.exceptions.find(ItemFilter(status=None, business_key=f"raw-payload:{number}"))
            }
    correlations = {c for t in traces for c in t.correlation_ids}
    if correlations:  # what the traced messages parked or rejected (an 850 with a wrong SE01 ...)
        for correlation in sorted(correlations):
            items |= {i.id: i for i in store.exceptions.find(ItemFilter(status=None, correlation_id=correlation))}
    for item in list(items.values()):
        for other in (item.correlation_id, item.message_id):
            if other and all(other not in t.correlation_ids for t in traces):
                traces.append(store.trace(other))
                break
        if item.raw_payload_id is not None and all(r.id != item.raw_payload_id for r in raws):
            ref = store.raw.ref(item.raw_payload_id)
            if ref is not None:
                raws.append(ref)
    return traces, sorted(items.values(), key=lambda i: i.id), raws


def trace(
    key: Annotated[
        str,
        typer.Argument(
            help="Order id, PO number, ERP order, control number, tracking number, message id (8+ characters), "
            "exception item id or raw payload id."
        ),
    ],
    as_json: JsonOption = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Every hop of the messages KEY touches, in time order, with linked documents, exception items and
    raw payloads. Exit 1 when nothing matches KEY."""
    store = runtime.open_store(runtime.settings())
    try:
        traces, items, raws = _look_up(store, key)
    finally:
        store.close()
    hops = sorted({(h.message_id, h.started_at, h.actor): h for t in traces for h in t.hops}.values(),
                  key=lambda h: h.started_at)  # fmt: skip
    documents = list(dict.fromkeys(str(d) for t in traces for d in t.documents.documents))
    found = bool(hops or documents or items or raws)
    if as_json:
        print_json(
            {
                "key": key,
                "found": found,
                "correlation_ids": sorted({c for t in traces for c in t.correlation_ids}),
                "keys": sorted({tuple(k) for t in traces for k in t.keys}),
                "documents": documents,
                "hops": [_hop(h) for h in hops],
                "exception_items": [_item(i) for i in items],
                "raw_payloads": [_raw(r) for r in raws],
            }
        )
    elif found:
        rows = [
            [h.started_at.isoformat(timespec="milliseconds"), h.actor, h.queue, h.status.value,
             "" if h.duration_ms is None else f"{h.duration_ms:.1f}", h.message_id[:12], h.error_message or ""]
            for h in hops
        ]  # fmt: skip
        print_table(["at", "step", "queue", "status", "ms", "message", "error"], rows, title=f"trace {key}", fmt=fmt)
        if documents:
            print_line("related documents: " + ", ".join(documents))
        for i in items:
            print_line(f"exception item {i.id} ({i.status.value}, {i.owner.value}) at {i.actor or '-'}: "
                       f"{i.code or i.error_class}: {i.error_message}")  # fmt: skip
        for r in raws:
            state = "accepted" if r.accepted_at else "not accepted"
            print_line(f"raw payload {r.id}: {r.source} {r.name} ({r.size} bytes, interchange "
                       f"{r.interchange_control or '-'}, {state})")  # fmt: skip
    if not found:
        typer.echo(f"crossdock: nothing matches {key!r} (no message, document, exception item or raw payload)",
                   err=True)  # fmt: skip
        raise typer.Exit(1)
