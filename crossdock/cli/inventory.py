"""``crossdock inventory show SKU | drift | pull``: what crossdock knows of a SKU's stock and what each
channel was told; the marketplaces' quantities against the computed ones; the ERP pulled on demand.

Exit codes: 0 done; 1 ``drift`` found differences; 2 configuration problem or unreachable database.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

app = typer.Typer(help="Inventory: available to sell per channel, drift against the marketplaces, ERP pull.",
                  no_args_is_help=True)  # fmt: skip
CONFIG_EXIT = 2
DRIFT_EXIT = 1


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="inventory")


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(CONFIG_EXIT)


def _inventory_config() -> Any:
    from crossdock.actors.flow_config import load_flow_config
    from crossdock.actors.wiring import flows_file
    from crossdock.errors import ConfigError
    from crossdock.settings import load_settings

    settings = load_settings()
    config = load_flow_config(flows_file(settings))
    if config.inventory is None:
        raise ConfigError(f"{flows_file(settings)}: no inventory: section (see docs/inventory.md)")
    return settings, config


@app.command("show")
def show_command(
    sku: Annotated[str, typer.Argument(help="Our SKU.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The SKU's inputs (on hand per location, as of when, from where), its reservations, available to
    sell per channel, and what each channel was last told and when."""
    from crossdock.actors.inventory_report import show
    from crossdock.errors import CrossdockError
    from crossdock.store import Store

    try:
        settings, config = _inventory_config()
        store = Store.from_settings(settings)
        try:
            report = show(store, config.inventory.rules(), sku)
        finally:
            store.close()
    except CrossdockError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(report))
        return
    typer.echo(f"{sku}" + (f" (kit: {report['kit']})" if report["kit"] else ""))
    for row in report["stock"]:
        typer.echo(f"  on hand {row['on_hand']:>8} at {row['location']:<10} as of {row['as_of']} (#{row['sequence']})"
                   f" from {row['source']}")  # fmt: skip
    held = [r for r in report["reservations"] if r["quantity"]]
    for row in held:
        where = f"at {row['location']:<10} for {row['order_ref']} line {row['line']}"
        typer.echo(f"  reserved {row['quantity']:>7} {where}")
    for row in report.get("adjustments", []):
        typer.echo(f"  adjusted {row['delta']:>+7} at {row['location']:<10} reason {row['reason']} by {row['key']}")
    typer.echo(f"  free per location: {report['free']}")
    told = {c["channel"]: c for c in report["channels"]}
    for channel, quantity in report["available_to_sell"].items():
        state = told.get(channel)
        last = f"told {state['told']} at {state['told_at']}" if state and state["told_at"] else "never told"
        typer.echo(f"  {channel:<10} available to sell {quantity:>7}; {last}")
    for channel, state in sorted(told.items()):
        if channel not in report["available_to_sell"]:  # a channel told per location (shopify@<id>)
            last = f"told {state['told']} at {state['told_at']}" if state["told_at"] else "never told"
            typer.echo(f"  {channel:<10} available to sell {state['computed']:>7}; {last}")


@app.command("drift")
def drift_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Each pushed channel's quantity, read from the marketplace, against the computed one. Exit 1 when
    any differs."""
    from crossdock.actors.inventory_report import drift
    from crossdock.actors.wiring import build_inventory
    from crossdock.errors import CrossdockError
    from crossdock.store import Store

    try:
        settings, config = _inventory_config()
        inventory = build_inventory(config)
        assert inventory is not None
        store = Store.from_settings(settings)
        try:
            report = drift(store, inventory)
        finally:
            store.close()
            inventory.close()
    except CrossdockError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(report))
    else:
        for channel, result in report["channels"].items():
            typer.echo(f"{channel}: {result['compared']} SKUs compared, {len(result['differences'])} differ")
            for row in result["differences"]:
                typer.echo(f"  {row['sku']}: computed {row['computed']}, told {row['told']}, shows {row['shown']}")
    if report["differences"]:
        raise typer.Exit(DRIFT_EXIT)


@app.command("pull")
def pull_command(
    location: Annotated[str | None, typer.Option("--location", help="Only this ERP location.")] = None,
) -> None:
    """Pull the ERP's on-hand balances now and send them to the workers (inventory.apply)."""
    from crossdock.actors.inventory_pull import pull
    from crossdock.errors import CrossdockError

    try:
        settings, config = _inventory_config()
        typer.echo(pull(settings, config, location=location))
    except CrossdockError as exc:
        raise _fail(exc) from exc
