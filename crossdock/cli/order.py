"""``crossdock order show KEY [--json]``: one order's lifecycle (docs/lifecycle.md).

KEY is a buyer's PO number or a marketplace order id, or ``channel:id`` (``shopify:5100000001``) when
the same id exists on several channels. Exit codes: 0 shown, 1 no such order, 2 could not run (an id on
several channels without its channel, configuration, database).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crossdock.cli import runtime
from crossdock.cli.boundary import CommandError
from crossdock.cli.output import JsonOption, print_fields, print_json, print_line, print_table

app = typer.Typer(rich_markup_mode=None, help="Orders: state, timeline, quantities, documents.", no_args_is_help=True)


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "-"


@app.command()
def show(
    key: Annotated[str, typer.Argument(help="PO number or marketplace order id, or channel:id.")],
    as_json: JsonOption = False,
) -> None:
    """An order: its state and stage, per line the quantities ordered / cancelled / shipped / invoiced,
    the timeline of its transitions (time, from, to, step, message, note) and the documents exchanged."""
    from crossdock.store.order_view import order_view

    store = runtime.open_store(runtime.settings())
    try:
        found = store.orders.find(key)
        if len(found) > 1:
            names = ", ".join(f"{c}:{e}" for c, e in found)
            raise CommandError(f"{key} names orders on several channels ({names}): give channel:id")
        view = order_view(store, *found[0]) if found else None
    finally:
        store.close()
    if view is None:
        if as_json:
            print_json({"found": False, "key": key})
        else:
            typer.echo(f"crossdock: no order {key} (no step recorded one)", err=True)
        raise typer.Exit(1)
    if as_json:
        print_json(view)
        return
    print_fields({"order": f"{view['channel']}:{view['external_id']}", "state": view["state"],
                  "stage": view["stage"], "ERP order": view["erp_order_no"], "version": _when(view["version"]),
                  "placed": _when(view["received_at"])})  # fmt: skip
    print_table(("line", "sku", "ordered", "cancelled", "shipped", "invoiced"),
                [(x["line"], x["sku"], x["ordered"], x["cancelled"], x["shipped"], x["invoiced"])
                 for x in view["lines"]], title="lines")  # fmt: skip
    print_table(("at", "event", "from", "to", "step", "message", "note"),
                [(_when(t["at"]), t["event"], t["from"], t["to"], t["step"], t["message_id"], t["note"])
                 for t in view["timeline"]], title="timeline")  # fmt: skip
    print_table(("type", "id", "set", "file", "status"),
                [(d["type"], d["id"], d.get("set"), d.get("file"), d.get("status")) for d in view["documents"]],
                title="documents")  # fmt: skip
    for item in view["open_items"]:
        print_line(f"open exception item {item['id']} ({item['owner']}): {item['error_class']}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="order")
