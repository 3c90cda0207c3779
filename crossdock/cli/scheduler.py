"""``crossdock scheduler run|run-job|status``: the periodic jobs of flows.yaml's ``schedule:``.

Exit codes: 0 done; 1 a job run by hand failed; 2 configuration problem or unreachable database.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

app = typer.Typer(help="Periodic jobs (polls, overdue acknowledgments, retention) from flows.yaml's schedule.",
                  no_args_is_help=True)  # fmt: skip
CONFIG_EXIT = 2
FAILED_EXIT = 1


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="scheduler")


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(CONFIG_EXIT)


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@app.command("run")
def run_command(
    standby_s: Annotated[
        float, typer.Option("--standby-s", min=0.5, max=600, help="A standby asks for the leader lock this often.")
    ] = 5.0,
) -> None:
    """Run the schedule until SIGTERM or SIGINT. Several schedulers (hosts) may run: one leads (a lock
    in the database), the others stand by and take over when it stops; each slot runs once."""
    from crossdock.actors.flow_config import load_flow_config
    from crossdock.actors.scheduler import scheduler_from_settings
    from crossdock.actors.wiring import flows_file
    from crossdock.errors import ConfigError, CrossdockError
    from crossdock.settings import load_settings
    from crossdock.store.readiness import require_schema

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    try:
        settings = load_settings()
        config = load_flow_config(flows_file(settings))
        if not config.schedule:
            raise ConfigError(f"{flows_file(settings)}: no schedule: section, nothing to run")
        with scheduler_from_settings(settings, config) as scheduler, _stop_on_signals(stop):
            require_schema(scheduler.store.db)
            scheduler.standby_s = standby_s
            scheduler.on_event = lambda message: typer.echo(f"scheduler: {message}", err=True)
            scheduler.run(stop)
    except CrossdockError as exc:
        raise _fail(exc) from exc
    typer.echo("scheduler: stopped", err=True)


@app.command("run-job")
def run_job_command(
    name: Annotated[str, typer.Argument(help="The job's name, as `scheduler status` lists it (e.g. prune).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as one JSON object.")] = False,
) -> None:
    """Run one job now, as the schedule would (its run recorded; a job is not run twice in one second)."""
    from crossdock.actors.flow_config import load_flow_config
    from crossdock.actors.scheduler import scheduler_from_settings, slot_now
    from crossdock.actors.wiring import flows_file
    from crossdock.errors import ConfigError, CrossdockError
    from crossdock.settings import load_settings

    try:
        settings = load_settings()
        config = load_flow_config(flows_file(settings))
        with scheduler_from_settings(settings, config) as scheduler:
            jobs = {job.name: job for job in scheduler.jobs}
            if name not in jobs:
                known = ", ".join(sorted(jobs)) or "none"
                raise ConfigError(f"no scheduled job {name!r} in {flows_file(settings)} (jobs: {known})")
            slot = slot_now()
            scheduler.run_slot(jobs[name], slot)
            runs = scheduler.store.scheduler_runs.runs(job=name, limit=1)
    except CrossdockError as exc:
        raise _fail(exc) from exc
    run = runs[0] if runs else None
    if run is None or run.slot != slot:
        typer.echo(f"error: {name}: slot {slot.isoformat()} was claimed by another run", err=True)
        raise typer.Exit(FAILED_EXIT)
    if as_json:
        typer.echo(json.dumps(run.to_dict()))
    else:
        typer.echo(f"{name}: {run.outcome}: {run.detail or ''}")
    if run.outcome != "ok":
        raise typer.Exit(FAILED_EXIT)


@app.command("status")
def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Each scheduled job: when it runs next, and its last run (where, outcome, detail)."""
    from crossdock.actors.flow_config import load_flow_config
    from crossdock.actors.wiring import flows_file
    from crossdock.errors import CrossdockError
    from crossdock.settings import load_settings
    from crossdock.store import Store

    now = datetime.now(UTC)
    try:
        settings = load_settings()
        config = load_flow_config(flows_file(settings))
        store = Store.from_settings(settings)
        try:
            latest = store.scheduler_runs.latest_per_job()
        finally:
            store.close()
    except CrossdockError as exc:
        raise _fail(exc) from exc
    rows: list[dict[str, Any]] = []
    for entry in config.schedule:
        upcoming = entry.trigger().get_next_fire_time(None, now)
        last = latest.get(entry.name)
        rows.append({"job": entry.name, "when": entry.every or entry.cron,
                     "next": upcoming.isoformat() if upcoming else None,
                     "last": last.to_dict() if last else None})  # fmt: skip
    if as_json:
        typer.echo(json.dumps({"jobs": rows}))
        return
    for row in rows:
        last = row["last"]
        said = f"{last['outcome']} at {last['slot']} on {last['host']}: {last['detail'] or ''}" if last else "never ran"
        typer.echo(f"{row['job']}\t{row['when']}\tnext {row['next']}\tlast {said}")
