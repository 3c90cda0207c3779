"""``crossdock db upgrade``, ``crossdock db current`` and ``crossdock db prune``: the store's schema
migrations and retention.

Exit codes: 0 done, 1 the database could not be reached or migrated, 2 bad configuration or
arguments, 3 (``current --check``) the database is not at the newest revision.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from crossdock.errors import ConfigError, TransientError
from crossdock.settings import load_settings
from crossdock.store import Database, Store, current, head, upgrade
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


@app.command("prune")
def prune_command(
    older_than_days: int = typer.Option(..., "--older-than-days", min=1, help="Delete what is older than this."),
    idempotency_keys: bool = typer.Option(
        False, "--idempotency-keys", help="Also forget finished idempotency keys (such messages would run again)."
    ),
    user: str | None = typer.Option(None, "--user", help="Who prunes, for the audit log (default: login name)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    config: Path | None = ConfigOption,
) -> None:
    """Delete old journal rows, their keys and raw payloads nothing refers to (exceptions and audit stay)."""
    db = _database(config)
    before = datetime.now(UTC) - timedelta(days=older_than_days)
    try:
        report = Store(db).prune(before=before, who=user or getpass.getuser(), idempotency_keys=idempotency_keys)
    except TransientError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    counts = asdict(report)
    if as_json:
        typer.echo(json.dumps({"before": before.isoformat(), **counts}))
    else:
        typer.echo(
            f"pruned before {before.isoformat(timespec='seconds')}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
