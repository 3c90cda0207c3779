"""``crossdock edi demo``: the bundled examples through the X12 layer alone, with embedded defaults (no server)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crossdock.errors import ConfigError
from crossdock.examples import EXAMPLES

if TYPE_CHECKING:
    from crossdock.edi.partners import PartnerProfile

MARKS = {"ok": "ok  ", "warning": "warn", "failed": "FAIL"}


def demo(
    examples: Path = typer.Option(EXAMPLES, "--examples", help="Folder with the example X12 files and partners/."),
    show_x12: bool = typer.Option(True, "--show-x12/--no-show-x12", help="Print the X12 each step produced."),
) -> None:
    """Run the bundled examples: 850 → Order → 940 to the 3PL; 945 → Shipment → 856 to the buyer; 997.

    Exit 0 when no step failed (problems found validating the inbound files are warnings: the flow goes on
    and the 997 reports them), 1 when a step failed, 2 when the examples cannot be read.
    """
    from crossdock.edi.control import InMemoryControlNumbers
    from crossdock.edi.demo_flow import DemoInputs, run_demo

    try:
        inputs = DemoInputs(
            order_850=(examples / "850_from_buyer.x12").read_bytes(),
            advice_945=(examples / "945_from_3pl.x12").read_bytes(),
            threepl=_profile(examples / "partners" / "northstar-3pl.yaml"),
            buyer=_profile(examples / "partners" / "acme-retail.yaml"),
            warehouse_code="COL1",
        )
    except (OSError, ConfigError) as exc:
        typer.echo(f"cannot load the examples from {examples}: {exc}", err=True)
        raise typer.Exit(2) from exc
    steps = run_demo(inputs, InMemoryControlNumbers(), now=datetime.now(UTC))
    for number, step in enumerate(steps, start=1):
        typer.echo(f"[{MARKS[step.status]}] {number}. {step.title}")
        for line in step.lines:
            typer.echo(f"         {line}")
        if show_x12 and step.payload:
            typer.echo("")
            typer.echo("\n".join("         " + row for row in step.payload.decode("latin-1").splitlines()))
            typer.echo("")
    failed = [step for step in steps if step.status == "failed"]
    warned = [step for step in steps if step.status == "warning"]
    typer.echo(f"{len(steps)} steps: {len(steps) - len(failed) - len(warned)} ok, {len(warned)} with warnings, "
               f"{len(failed)} failed")  # fmt: skip
    raise typer.Exit(1 if failed else 0)


def _profile(path: Path) -> PartnerProfile:
    from crossdock.edi.partners import load_partner_profile

    return load_partner_profile(path.read_bytes(), name_hint=str(path))
