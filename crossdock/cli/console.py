"""``crossdock console``: the ops console (docs/console.md). Imports only typer here: the web stack,
the store and the settings are imported when the command runs, so ``crossdock --help`` stays fast. A
bad console config is a ``ConfigError``: one line and exit 2 through :mod:`crossdock.cli.boundary`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def console(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8095,
    config: Annotated[
        Path, typer.Option(envvar="CROSSDOCK_CONSOLE_CONFIG", help="Users, roles and session settings (YAML).")
    ] = Path("console.yaml"),
    metrics_port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Serve the business gauges for Prometheus on this port.")
    ] = None,
    metrics_host: Annotated[str, typer.Option(help="Address of the metrics port.")] = "127.0.0.1",
    hash_password: Annotated[
        bool, typer.Option("--hash-password", help="Read a password (hidden) and print its argon2id hash.")
    ] = False,
) -> None:
    """Serve the ops console: lanes, exceptions, dead letters, trace and partners, with actions."""
    if hash_password:
        from crossdock.console.config import hash_password as hashed

        typer.echo(hashed(typer.prompt("password", hide_input=True, confirmation_prompt=True)))
        return
    from crossdock.cli import runtime
    from crossdock.console.server import serve

    serve(runtime.settings(), config, host=host, port=port, metrics_host=metrics_host, metrics_port=metrics_port)
