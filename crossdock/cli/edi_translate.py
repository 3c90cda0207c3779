"""``crossdock edi translate`` and ``crossdock edi render``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, ValidationError

from crossdock.canonical import InventoryAdvice, Order, Shipment, WarehouseShippingOrder
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.partners import load_partner_profile
from crossdock.edi.translate import FileResult, render, translate
from crossdock.errors import ConfigError, MappingError

DOCUMENTS: dict[str, tuple[type[BaseModel], ...]] = {
    "850": (Order,),
    "940": (WarehouseShippingOrder, Order),
    "945": (Shipment,),
    "856": (Shipment,),
    "846": (InventoryAdvice,),
}


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``edi`` group."""
    app.command("translate")(translate_command)
    app.command("render")(render_command)


def translate_command(
    file: Path = typer.Argument(..., help="X12 file to translate (any number of interchanges and sets)."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report (documents, warnings, errors) as JSON."),
) -> None:
    """Translate each transaction set of FILE to its canonical document.

    Exit 0 when a canonical document was produced (what was tolerated is listed as warnings), 1 when
    the content cannot be mapped (field-level errors), 2 when the file is unreadable or holds neither a
    transaction set nor an interchange acknowledgment (TA1).
    """
    try:
        data = file.read_bytes()
    except OSError as exc:
        typer.echo(f"{file}: cannot read: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc
    result = translate(data, source=str(file))
    if as_json:
        typer.echo(json.dumps({"file": str(file), **result.to_dict()}, indent=2))
    else:
        _print_report(file, result)
    raise typer.Exit(_exit_code(result))


def _exit_code(result: FileResult) -> int:
    acks = result.interchange_acks
    if result.read_error is not None or not (result.sets or acks):
        return 2
    if result.failed or any(a.status == "failed" for a in acks) or not (result.translated or acks):
        return 1
    return 0


def _print_report(file: Path, result: FileResult) -> None:
    for warning in result.read_warnings:
        typer.echo(f"{file}: read warning: {warning.message} (segment {warning.segment_index})", err=True)
    for item in result.sets:
        head = f"{file}: {item.set_id} {item.control_number} ({item.sender_id} -> {item.receiver_id}): {item.status}"
        typer.echo(head, err=item.status != "translated")
        for where, what in item.errors:
            typer.echo(f"  error {where}: {what}", err=True)
        for warning in item.warnings:
            typer.echo(f"  warning {warning.location}: {warning.message}", err=True)
        for seg in item.unmapped:
            typer.echo(f"  unmapped {seg.location}: {seg.raw}", err=True)
        if item.document is not None:
            typer.echo(item.document.model_dump_json(indent=2, exclude_defaults=True))
    for ack in result.interchange_acks:
        typer.echo(f"{file}: TA1 {ack.control_number} ({ack.sender_id} -> {ack.receiver_id}): {ack.status}",
                   err=ack.status != "translated")  # fmt: skip
        for where, what in ack.errors:
            typer.echo(f"  error {where}: {what}", err=True)
        if ack.document is not None:
            typer.echo(ack.document.model_dump_json(indent=2, exclude_defaults=True))
    if result.read_error is not None:
        typer.echo(f"{file}: unreadable: {result.read_error}", err=True)
    elif not (result.sets or result.interchange_acks):
        typer.echo(f"{file}: no transaction set found", err=True)


def render_command(
    document: Path = typer.Argument(..., help="Canonical document as JSON (as printed by `crossdock edi translate`)."),
    set_id: str = typer.Option(..., "--set", help="X12 set to render: 846, 850, 856, 940 or 945."),
    partner: Path = typer.Option(..., "--partner", help="Partner profile YAML (envelope ids, version, delimiters)."),
    start_control: int = typer.Option(1, "--start-control", min=1, help="First ISA13/GS06/ST02 control number."),
) -> None:
    """Render a canonical document as X12 for a trading partner and print it.

    Exit 1 when the document cannot be rendered as that set, 2 when a file is unreadable or invalid.
    """
    if set_id not in DOCUMENTS:
        typer.echo(f"--set must be one of {', '.join(DOCUMENTS)}", err=True)
        raise typer.Exit(2)
    try:
        profile = load_partner_profile(partner.read_bytes(), name_hint=str(partner))
        raw = json.loads(document.read_bytes())
    except (OSError, ConfigError, json.JSONDecodeError) as exc:
        typer.echo(f"cannot load input: {exc}", err=True)
        raise typer.Exit(2) from exc
    model = _parse(raw, DOCUMENTS[set_id], document)
    try:
        out = render(set_id, model, profile, InMemoryControlNumbers(start_control), now=datetime.now(UTC))
    except MappingError as exc:
        typer.echo(f"{document}: cannot render as {set_id}: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(out.decode("latin-1"), nl=False)


def _parse(raw: Any, models: tuple[type[BaseModel], ...], source: Path) -> BaseModel:
    """The first of ``models`` that ``raw`` (or its ``document`` member, for translate's JSON) validates as."""
    if isinstance(raw, dict) and isinstance(raw.get("sets"), list) and raw["sets"]:
        raw = raw["sets"][0].get("document")
    errors: list[str] = []
    for model in models:
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            errors += [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
    typer.echo(f"{source}: not a {' or '.join(m.__name__ for m in models)}: " + "; ".join(errors), err=True)
    raise typer.Exit(1)
