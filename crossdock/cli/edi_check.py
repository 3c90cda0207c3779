"""``crossdock edi validate`` and ``crossdock edi ack``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crossdock.errors import ConfigError, EdiError

if TYPE_CHECKING:
    from crossdock.edi.report import Issue, ValidationReport


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``edi`` group."""
    app.command("validate")(validate_command)
    app.command("ack")(ack_command)


def _read(file: Path) -> bytes | str:
    try:
        return file.read_bytes()
    except OSError as exc:
        return f"cannot read: {exc.strerror}"


def _where(issue: Issue) -> str:
    parts = []
    if issue.segment_id:
        ref = issue.segment_id + (f"{issue.element:02d}" if issue.element else "")
        parts.append(ref + (f"-{issue.component}" if issue.component else ""))
    if issue.segment_position is not None:
        parts.append(f"set position {issue.segment_position}")
    if issue.segment_index is not None:
        parts.append(f"segment {issue.segment_index + 1}")
    return ", ".join(parts)


def _print_report(file: Path, report: ValidationReport) -> None:
    typer.echo(f"{file}: {report.status.value}")
    for issue in report.issues:
        typer.echo(f"  {issue.severity.value} [{issue.code}] {issue.message} ({_where(issue)})")
    for interchange in report.interchanges:
        typer.echo(f"  ISA {interchange.control_number} {interchange.sender_id} -> {interchange.receiver_id}: "
                   f"{interchange.status.value}")
        for issue in interchange.issues:
            typer.echo(f"    {issue.severity.value} [{issue.code}] {issue.message} ({_where(issue)})")
        for group in interchange.groups:
            typer.echo(f"    GS {group.functional_id} {group.control_number} {group.version}: {group.status.value}")
            for issue in group.issues:
                typer.echo(f"      {issue.severity.value} [{issue.code}] {issue.message} ({_where(issue)})")
            for set_report in group.sets:
                typer.echo(f"      ST {set_report.set_id} {set_report.control_number}: {set_report.status.value}")
                for issue in set_report.issues:
                    typer.echo(f"        {issue.severity.value} [{issue.level.value} {issue.code}] {issue.message} "
                               f"({_where(issue)})")


def validate_command(
    files: list[Path] = typer.Argument(..., help="X12 files to validate."),
    as_json: bool = typer.Option(False, "--json", help="Print every file's report as one JSON document."),
) -> None:
    """Validate each X12 FILE against crossdock's pyx12 maps (810, 846, 850, 856, 940, 945, 947, 997; 004010 and
    005010) and pyx12's HIPAA maps; other sets are read and envelope-checked with a warning.

    Exit 0 when every file is valid, 1 when any is invalid, 2 when any is unreadable.
    """
    from crossdock.edi.report import Status
    from crossdock.edi.validate import X12Validator

    validator = X12Validator()
    results: list[dict[str, object]] = []
    code = 0
    for file in files:
        data = _read(file)
        if isinstance(data, str):
            results.append({"file": str(file), "status": "unreadable", "error": {"message": data}})
            code = 2
            continue
        try:
            report = validator.validate(data, source=str(file))
        except EdiError as exc:
            results.append({"file": str(file), "status": "unreadable", "error": exc.to_dict()})
            code = 2
            continue
        except ConfigError as exc:
            typer.echo(f"cannot validate: {exc}", err=True)
            raise typer.Exit(2) from exc
        if report.status is Status.INVALID and code == 0:
            code = 1
        results.append({"file": str(file), "status": report.status.value, "report": report.to_dict()})
        if not as_json:
            _print_report(file, report)
    if as_json:
        typer.echo(json.dumps({"files": results}, indent=2))
    else:
        for item in results:
            if item["status"] == "unreadable":
                typer.echo(f"{item['file']}: unreadable: {item['error']['message']}", err=True)  # type: ignore[index]
    raise typer.Exit(code)


def ack_command(file: Path = typer.Argument(..., help="Inbound X12 file to acknowledge.")) -> None:
    """Print the 997 functional acknowledgment for each functional group in FILE (none for 997/999
    groups: acknowledgments are never acknowledged), with a TA1 for each interchange that asks for one
    (ISA14 = 1) or has envelope errors. Control numbers come from an in-memory allocator starting at 1.
    Exit 2 when the file is unreadable."""
    from crossdock.edi.ack import build_acks
    from crossdock.edi.control import InMemoryControlNumbers
    from crossdock.edi.validate import X12Validator

    data = _read(file)
    if isinstance(data, str):
        typer.echo(f"{file}: {data}", err=True)
        raise typer.Exit(2)
    try:
        report = X12Validator().validate(data, source=str(file))
    except EdiError as exc:
        typer.echo(f"{file}: unreadable: {exc}", err=True)
        raise typer.Exit(2) from exc
    except ConfigError as exc:
        typer.echo(f"cannot validate: {exc}", err=True)
        raise typer.Exit(2) from exc
    acks = build_acks(report, InMemoryControlNumbers(), now=datetime.now(UTC))
    if not acks:
        typer.echo(f"{file}: nothing to acknowledge (only acknowledgments, or groups whose GS01 is not a"
                   " functional identifier, inside)", err=True)
    for ack in acks:
        typer.echo(ack, nl=False)
