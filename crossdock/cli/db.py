"""``crossdock db upgrade`` and ``crossdock db current``: the store's schema migrations.

Exit codes: 0 done, 1 the database could not be reached or migrated, 2 bad configuration,
3 (``current --check``) the database is not at the newest revision.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from crossdock.errors import ConfigError, TransientError
from crossdock.settings import load_settings
from crossdock.store import Database, current, head, upgrade
from crossdock.store.engine import database_url

app = typer.Typer(help="Create and upgrade crossdock's database schema.", no_args_is_help=True)

ConfigOption = typer.Option(None, "--config", help="YAML settings file (default: $CROSSDOCK_CONFIG).")


def _database(config: Path | None) -> Database:
    try:
        return Database.from_settings(load_settings(config))
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _where(db: Database) -> str:
    return database_url(db.engine.url).render_as_string(hide_password=True)


@app.command("upgrade")
def upgrade_command(
    revision: str = typer.Argument("head", help="Target revision (default: the newest)."),
    config: Path | None = ConfigOption,
) -> None:
    """Apply pending migrations to the configured database (creates it on SQLite)."""
    db = _database(config)
    try:
        before = current(db)
        after = upgrade(db, revision)
    except TransientError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    if before == after:
        typer.echo(f"{_where(db)}: already at {after}")
    else:
        typer.echo(f"{_where(db)}: upgraded {before or 'empty'} -> {after}")


@app.command("current")
def current_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    check: bool = typer.Option(False, "--check", help="Exit 3 when the database is not at the newest revision."),
    config: Path | None = ConfigOption,
) -> None:
    """Show the revision the configured database is at and the newest one this crossdock ships."""
    db = _database(config)
    try:
        revision = current(db)
    except TransientError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    newest = head()
    up_to_date = revision == newest
    if as_json:
        typer.echo(json.dumps({"database": _where(db), "current": revision, "head": newest, "up_to_date": up_to_date}))
    else:
        state = "up to date" if up_to_date else "run `crossdock db upgrade`"
        typer.echo(f"{_where(db)}: at {revision or 'empty (no schema)'}, newest {newest} ({state})")
    if check and not up_to_date:
        raise typer.Exit(3)
