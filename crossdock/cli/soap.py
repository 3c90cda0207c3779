"""``crossdock soap inspect WSDL [--json|--scaffold]``, ``crossdock soap check WSDL MAPPING`` and
``crossdock erp-sim --port N``.

Exit codes: 0 done; 2 configuration problem (unreadable WSDL, remote import, a mapping that does
not fit its WSDL, bad flag).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crossdock.cli import runtime
from crossdock.errors import ConfigError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.tree import Tree

    from crossdock.bridges.soap.inspect import FieldInfo, OperationInfo, WsdlReport
    from crossdock.soap.sim import Behaviour

app = typer.Typer(rich_markup_mode=None, help="The legacy ERP over SOAP.", no_args_is_help=True)
CONFIG_EXIT = 2


def _add_fields(node: Tree, fields: list[FieldInfo], expanded: set[str]) -> None:
    """Each named complex type's fields are listed once per operation, later uses say so: SAP's global
    data types repeat in every item and would print tens of thousands of lines (and take seconds)."""
    from rich.markup import escape

    for info in fields:
        occurs = f"{info.min_occurs}..{info.max_occurs}"
        choice = f" ({info.choice})" if info.choice else ""
        label = f"{info.name}: {info.type} [{occurs}]{choice}"
        named = bool(info.children) and not info.type.startswith("(")
        if named and info.type in expanded:
            node.add(escape(f"{label}: fields as above"))
            continue
        if named:
            expanded.add(info.type)
        _add_fields(node.add(escape(label)), info.children, expanded)


def _add_operation(node: Tree, operation: OperationInfo) -> None:
    from rich.markup import escape

    element = f"  ({escape(operation.input_element)})" if operation.input_element else ""
    branch = node.add(f"[bold]{escape(operation.name)}[/bold]{element}")
    if operation.headers:
        _add_fields(branch.add("headers"), operation.headers, set())
    _add_fields(branch, operation.input, set())


def _render(report: WsdlReport, console: Console) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    kind = "ABSTRACT: port types only, no binding or service" if report.abstract else "concrete"
    root = Tree(escape(f"{report.location}  [{kind}]  targetNamespace={report.target_namespace}"))
    for port in report.ports:
        binding = f"binding {port.binding}, SOAP {port.soap}"
        node = root.add(escape(f"service {port.service} / port {port.port} ({binding}) → {port.address}"))
        for operation in port.operations:
            _add_operation(node, operation)
    if report.abstract:
        for name, operations in report.port_types.items():
            node = root.add(escape(f"portType {name}"))
            for operation in operations:
                _add_operation(node, operation)
    console.print(root)


@app.command("inspect")
def inspect_command(
    wsdl: Annotated[str, typer.Argument(help="A WSDL file (read offline) or http(s) URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of a tree.")] = False,
    scaffold: Annotated[
        bool, typer.Option("--scaffold", help="Print a starter mapping (YAML) for its create-like operation.")
    ] = False,
) -> None:
    """List the services, ports, operations and input fields of a WSDL."""
    import yaml
    from rich.console import Console

    from crossdock.bridges.soap.inspect import inspect_wsdl
    from crossdock.bridges.soap.scaffold import scaffold_mapping

    settings = runtime.settings()
    try:
        report = inspect_wsdl(wsdl, timeout_s=settings.network_timeout_s)
        if scaffold:
            typer.echo(yaml.safe_dump(scaffold_mapping(report), sort_keys=False), nl=False)
            return
    except (ConfigError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(CONFIG_EXIT) from exc
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _render(report, Console(width=160))


@app.command("check")
def check_command(
    wsdl: Annotated[str, typer.Argument(help="The ERP's WSDL file (read offline) or URL.")],
    mapping: Annotated[Path, typer.Argument(help="The mapping YAML file to check against it.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the problems as JSON.")] = False,
) -> None:
    """Check a mapping file against a WSDL: operations exist, target paths name real elements."""
    from crossdock.bridges.soap.inspect import inspect_wsdl
    from crossdock.bridges.soap.mapping_check import check_mapping
    from crossdock.soap import load_mapping

    settings = runtime.settings()
    try:
        loaded = load_mapping(mapping.read_bytes(), str(mapping))
        problems = check_mapping(inspect_wsdl(wsdl, timeout_s=settings.network_timeout_s), loaded)
    except OSError as exc:
        typer.echo(f"error: cannot read {mapping}: {exc.strerror}", err=True)
        raise typer.Exit(CONFIG_EXIT) from exc
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(CONFIG_EXIT) from exc
    if as_json:
        typer.echo(json.dumps([{"where": where, "problem": what} for where, what in problems], indent=2))
    else:
        for where, what in problems:
            typer.echo(f"{mapping}: {where}: {what}")
        if not problems:
            typer.echo(f"{mapping}: fits {wsdl} ({len(loaded.operations)} operations)")
    if problems:
        raise typer.Exit(CONFIG_EXIT)


def _behaviours(latency_ms: int, fail: list[str]) -> dict[str, Behaviour]:
    from crossdock.soap.sim import Behaviour

    behaviours: dict[str, Behaviour] = {}
    if latency_ms:
        behaviours["*"] = Behaviour.from_json({"latency_ms": latency_ms})
    for spec in fail:
        operation, _, what = spec.partition("=")
        if not operation or not what:
            raise ValueError(f"--fail wants OPERATION=BEHAVIOUR, got {spec!r}")
        if what == "hang":
            behaviours[operation] = Behaviour.from_json({"hang": True})
        elif what.isdigit():
            behaviours[operation] = Behaviour.from_json({"http_status": int(what)})
        else:
            behaviours[operation] = Behaviour.from_json({"fault_code": what})
    return behaviours


def erp_sim(
    port: Annotated[int, typer.Option(help="TCP port (0: any free port).")] = 8089,
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 in a container stack; loopback by default).")
    ] = "127.0.0.1",
    database: Annotated[
        str | None, typer.Option(help="SQLite file for the ERP's state, or :memory: (default: <data_dir>/erp-sim.db).")
    ] = None,
    wss_user: Annotated[str | None, typer.Option(help="Demand this WS-Security UsernameToken user.")] = None,
    wss_password_file: Annotated[
        Path | None, typer.Option(help="File holding the UsernameToken password (never on the command line).")
    ] = None,
    basic_user: Annotated[str | None, typer.Option(help="Also demand HTTP Basic with this user.")] = None,
    basic_password_file: Annotated[Path | None, typer.Option(help="File holding the HTTP Basic password.")] = None,
    latency_ms: Annotated[int, typer.Option(help="Add this latency to every call.")] = 0,
    fail: Annotated[
        list[str] | None,
        typer.Option(help="OPERATION=BEHAVIOUR (repeatable): an HTTP status (503), 'hang', or an ErpFault code."),
    ] = None,
) -> None:
    """Run the simulated legacy ERP; prints its WSDL URL first. Fault injection: POST /control."""
    from crossdock.soap.sim import SimAuth, serve

    if (wss_user is None) != (wss_password_file is None) or (basic_user is None) != (basic_password_file is None):
        pairs = "--wss-user with --wss-password-file, and --basic-user with --basic-password-file"
        typer.echo(f"error: give {pairs}", err=True)
        raise typer.Exit(CONFIG_EXIT)
    try:
        behaviours = _behaviours(latency_ms, fail or [])
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(CONFIG_EXIT) from exc
    try:
        auth = SimAuth(
            wss_username=wss_user,
            wss_password=wss_password_file.read_text().strip() if wss_password_file else None,
            basic_username=basic_user,
            basic_password=basic_password_file.read_text().strip() if basic_password_file else None,
        )
    except OSError as exc:
        typer.echo(f"error: cannot read a password file: {exc.strerror}", err=True)
        raise typer.Exit(CONFIG_EXIT) from exc
    if database is None:
        data_dir = runtime.settings().data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        database = str(data_dir / "erp-sim.db")
    db_path = database if database == ":memory:" else Path(database)
    serve(port, db_path, auth, behaviours, announce=functools.partial(print, flush=True), host=host)


def register(root: typer.Typer) -> None:
    """Add ``soap`` (group) and ``erp-sim`` to the root command."""
    root.add_typer(app, name="soap")
    root.command("erp-sim")(erp_sim)
