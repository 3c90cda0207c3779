"""``crossdock db upgrade``, ``crossdock db current`` and ``crossdock db prune``: the store's schema
migrations and retention.

Exit codes: 0 done, 1 (``current --check``) the database is not at the newest revision, 2 could not run
(bad configuration or arguments, a database that cannot be reached or migrated). ``current --check``
exited 3 before: 1 is the "found a problem" code of every command.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crossdock.cli import runtime
from crossdock.cli.output import JsonOption, print_json

if TYPE_CHECKING:
    from crossdock.store import Database

app = typer.Typer(rich_markup_mode=None, help="Create and upgrade crossdock's database schema.", no_args_is_help=True)

ConfigOption = typer.Option(None, "--config", help="YAML settings file (default: $CROSSDOCK_CONFIG).")


def _database(config: Path | None) -> Database:
    from crossdock.store import Database

    return Database.from_settings(runtime.settings(config))


def _where(db: Database) -> str:
    from crossdock.store.engine import database_url

    return database_url(db.engine.url).render_as_string(hide_password=True)


@app.command("upgrade")
def upgrade_command(
    revision: str = typer.Argument("head", help="Target revision (default: the newest)."),
    config: Path | None = ConfigOption,
) -> None:
    """Apply pending migrations to the configured database (creates it on SQLite)."""
    from crossdock.store import current, upgrade

    db = _database(config)
    try:
        before = current(db)
        after = upgrade(db, revision)
    finally:
        db.dispose()
    if before == after:
        typer.echo(f"{_where(db)}: already at {after}")
    else:
        typer.echo(f"{_where(db)}: upgraded {before or 'empty'} -> {after}")


@app.command("current")
def current_command(
    as_json: JsonOption = False,
    check: bool = typer.Option(False, "--check", help="Exit 1 when the database is not at the newest revision."),
    config: Path | None = ConfigOption,
) -> None:
    """Show the revision the configured database is at and the newest one this crossdock ships (creates
    nothing)."""
    from crossdock.store import current, head

    db = _database(config)
    try:
        revision = current(db)
    finally:
        db.dispose()
    newest = head()
    up_to_date = revision == newest
    if as_json:
        print_json({"database": _where(db), "current": revision, "head": newest, "up_to_date": up_to_date})
    else:
        state = "up to date" if up_to_date else "run `crossdock db upgrade`"
        typer.echo(f"{_where(db)}: at {revision or 'empty (no schema)'}, newest {newest} ({state})")
    if check and not up_to_date:
        raise typer.Exit(1)


@app.command("prune")
def prune_command(
    older_than_days: int = typer.Option(..., "--older-than-days", min=1, help="Delete what is older than this."),
    idempotency_keys: bool = typer.Option(
        False, "--idempotency-keys", help="Also forget finished idempotency keys (such messages would run again)."
    ),
    user: str | None = typer.Option(None, "--user", help="Who prunes, for the audit log (default: login name)."),
    as_json: JsonOption = False,
    config: Path | None = ConfigOption,
) -> None:
    """Delete old journal rows, their keys and raw payloads nothing refers to (exceptions and audit stay)."""
    store = runtime.open_store(runtime.settings(config))
    before = datetime.now(UTC) - timedelta(days=older_than_days)
    try:
        report = store.prune(before=before, who=user or getpass.getuser(), idempotency_keys=idempotency_keys)
    finally:
        store.close()
    counts = asdict(report)
    if as_json:
        print_json({"before": before.isoformat(), **counts})
    else:
        typer.echo(
            f"pruned before {before.isoformat(timespec='seconds')}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
