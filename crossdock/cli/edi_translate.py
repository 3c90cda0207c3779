"""``crossdock edi translate`` and ``crossdock edi render``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crossdock.edi.reader import MAX_SET_BYTES, MAX_SET_SEGMENTS
from crossdock.errors import ConfigError, EdiError, MappingError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from crossdock.edi.reader import X12Reader
    from crossdock.edi.translate import InterchangeAckResult, SetResult

SETS = ("850", "940", "945", "856", "846", "810", "855")


def _documents(set_id: str) -> tuple[type[BaseModel], ...]:
    """The canonical documents a set renders from, in the order they are tried."""
    from crossdock.canonical import InventoryAdvice, Invoice, Order, Shipment, WarehouseShippingOrder
    from crossdock.canonical.po_ack import PurchaseOrderAcknowledgment

    documents: dict[str, tuple[type[BaseModel], ...]] = {
        "850": (Order,),
        "940": (WarehouseShippingOrder, Order),
        "945": (Shipment,),
        "856": (Shipment,),
        "846": (InventoryAdvice,),
        "810": (Invoice,),
        "855": (PurchaseOrderAcknowledgment,),
    }
    return documents[set_id]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``edi`` group."""
    app.command("translate")(translate_command)
    app.command("render")(render_command)


def translate_command(
    file: Path = typer.Argument(..., help="X12 file to translate (any number of interchanges and sets)."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report (documents, warnings, errors) as JSON."),
    max_set_segments: int = typer.Option(
        MAX_SET_SEGMENTS, "--max-set-segments", min=3, help="Refuse a transaction set with more segments."
    ),
    max_set_bytes: int = typer.Option(MAX_SET_BYTES, "--max-set-bytes", min=1, help="Refuse a larger set (bytes)."),
) -> None:
    """Translate each transaction set of FILE to its canonical document, one set at a time (memory
    stays flat whatever the file's size; each set is printed as soon as it is translated).

    Exit 0 when a canonical document was produced (what was tolerated is listed as warnings), 1 when
    the content cannot be mapped (field-level errors), 2 when the file is unreadable, holds a set over
    the size limits, or holds neither a transaction set nor an interchange acknowledgment (TA1).
    """
    from crossdock.edi.reader import X12Reader

    try:
        stream = file.open("rb")
    except OSError as exc:
        typer.echo(f"{file}: cannot read: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc
    with stream:
        reader = X12Reader(stream, source=str(file), max_set_segments=max_set_segments, max_set_bytes=max_set_bytes)
        tally = _Tally()
        if as_json:
            _stream_json(file, reader, tally)
        else:
            _stream_report(file, reader, tally)
    raise typer.Exit(tally.exit_code())


@dataclass
class _Tally:
    """What the streamed sets came to, for the exit code (no set is kept)."""

    sets: int = 0
    translated: int = 0
    failed: int = 0
    acks: int = 0
    acks_failed: int = 0
    read_error: EdiError | None = None

    def add(self, item: SetResult) -> None:
        self.sets += 1
        self.translated += item.status == "translated"
        self.failed += item.status == "failed"

    def add_ack(self, ack: InterchangeAckResult) -> None:
        self.acks += 1
        self.acks_failed += ack.status == "failed"

    def exit_code(self) -> int:
        if self.read_error is not None or not (self.sets or self.acks):
            return 2
        if self.failed or self.acks_failed or not (self.translated or self.acks):
            return 1
        return 0


def _translated(reader: X12Reader, tally: _Tally) -> Iterator[SetResult]:
    """Each set's result as the reader streams it; a read error ends the stream and is kept in ``tally``."""
    from crossdock.edi.translate import iter_translations

    try:
        for item in iter_translations(reader):
            tally.add(item)
            yield item
    except EdiError as exc:
        tally.read_error = exc


def _stream_json(file: Path, reader: X12Reader, tally: _Tally) -> None:
    """One JSON object, written set by set: ``file``, ``sets``, then ``read_error``, ``read_warnings`` and
    ``interchange_acks`` (known only once the file is read)."""
    from crossdock.edi.translate import translate_ta1

    out = sys.stdout
    out.write('{\n  "file": ' + json.dumps(str(file)) + ',\n  "sets": [')
    for number, item in enumerate(_translated(reader, tally)):
        text = json.dumps(item.to_dict(), indent=2).replace("\n", "\n    ")
        out.write(("," if number else "") + "\n    " + text)
    out.write("\n  ]" if tally.sets else "]")
    acks = [translate_ta1(isa, segment) for isa, segment in reader.interchange_acks]
    for ack in acks:
        tally.add_ack(ack)
    error = tally.read_error
    tail = {
        "read_error": error.to_dict() | {"where": error.where} if error is not None else None,
        "read_warnings": [w.to_dict() for w in reader.warnings],
        "interchange_acks": [a.to_dict() for a in acks],
    }
    for key, value in tail.items():
        out.write(f",\n  {json.dumps(key)}: " + json.dumps(value, indent=2).replace("\n", "\n  "))
    out.write("\n}\n")
    out.flush()


def _stream_report(file: Path, reader: X12Reader, tally: _Tally) -> None:
    from crossdock.edi.translate import translate_ta1

    warned = 0
    for item in _translated(reader, tally):
        warned = _print_warnings(file, reader, warned)
        _print_set(file, item)
    _print_warnings(file, reader, warned)
    for ack in (translate_ta1(isa, segment) for isa, segment in reader.interchange_acks):
        tally.add_ack(ack)
        typer.echo(f"{file}: TA1 {ack.control_number} ({ack.sender_id} -> {ack.receiver_id}): {ack.status}",
                   err=ack.status != "translated")  # fmt: skip
        for where, what in ack.errors:
            typer.echo(f"  error {where}: {what}", err=True)
        if ack.document is not None:
            typer.echo(ack.document.model_dump_json(indent=2, exclude_defaults=True))
    if tally.read_error is not None:
        typer.echo(f"{file}: unreadable: {tally.read_error}", err=True)
    elif not (tally.sets or tally.acks):
        typer.echo(f"{file}: no transaction set found", err=True)


def _print_warnings(file: Path, reader: X12Reader, shown: int) -> int:
    for warning in reader.warnings[shown:]:
        typer.echo(f"{file}: read warning: {warning.message} (segment {warning.segment_index})", err=True)
    return len(reader.warnings)


def _print_set(file: Path, item: SetResult) -> None:
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


def render_command(
    document: Path = typer.Argument(..., help="Canonical document as JSON (as printed by `crossdock edi translate`)."),
    set_id: str = typer.Option(..., "--set", help="X12 set to render: 810, 846, 850, 856, 940 or 945."),
    partner: Path = typer.Option(..., "--partner", help="Partner profile YAML (envelope ids, version, delimiters)."),
    start_control: int = typer.Option(1, "--start-control", min=1, help="First ISA13/GS06/ST02 control number."),
) -> None:
    """Render a canonical document as X12 for a trading partner and print it.

    Exit 1 when the document cannot be rendered as that set, 2 when a file is unreadable or invalid.
    """
    from crossdock.edi.control import InMemoryControlNumbers
    from crossdock.edi.partners import load_partner_profile
    from crossdock.edi.translate import render

    if set_id not in SETS:
        typer.echo(f"--set must be one of {', '.join(SETS)}", err=True)
        raise typer.Exit(2)
    try:
        profile = load_partner_profile(partner.read_bytes(), name_hint=str(partner))
        raw = json.loads(document.read_bytes())
    except (OSError, ConfigError, json.JSONDecodeError) as exc:
        typer.echo(f"cannot load input: {exc}", err=True)
        raise typer.Exit(2) from exc
    model = _parse(raw, _documents(set_id), document)
    try:
        out = render(set_id, model, profile, InMemoryControlNumbers(start_control), now=datetime.now(UTC))
    except MappingError as exc:
        typer.echo(f"{document}: cannot render as {set_id}: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(out.decode("latin-1"), nl=False)


def _parse(raw: Any, models: tuple[type[BaseModel], ...], source: Path) -> BaseModel:
    """The first of ``models`` that ``raw`` (or its ``document`` member, for translate's JSON) validates as."""
    from pydantic import ValidationError

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
