"""Operator commands: ``crossdock worker``, ``queues``, ``trace``, ``dlq ...``, ``exceptions ...``,
``reprocess``, ``acks overdue`` and ``outbox ...``.

Composition root: read settings, build what the command needs, call one function, print a table
(rich) or ``--json``. Exit codes: 0 done, 1 nothing found / nothing to do, 2 configuration error
(no broker URL where RabbitMQ is needed, unreachable server).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crossdock.broker.lanes import LANES
from crossdock.broker.queue_stats import queue_report
from crossdock.broker.supervisor import supervise
from crossdock.broker.worker_child import WorkerSpec
from crossdock.cli import ops_acks, ops_dlq, ops_exceptions, ops_outbox, ops_reprocess
from crossdock.settings import load_settings
from crossdock.store import Store

console = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"crossdock: {message}", err=True)
    return typer.Exit(code)


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def worker(
    processes: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 2,
    threads: Annotated[int, typer.Option(min=1, help="Worker threads per process.")] = 8,
    queues: Annotated[
        list[str] | None, typer.Option("--queues", "-Q", help="Only these queues (lanes); repeat the option.")
    ] = None,
    boot: Annotated[
        str, typer.Option("--app", help="The worker entry point (module:function) that builds broker and actors.")
    ] = "crossdock.actors.wiring:boot",
    shutdown_timeout: Annotated[
        float, typer.Option(min=0, help="Seconds a stopping worker process gives its in-flight messages.")
    ] = 30.0,
) -> None:
    """Run worker processes with crossdock's broker, middleware and actors (RabbitMQ only); a worker
    process that dies is restarted (docs/backbone.md, "Worker supervision")."""
    settings = load_settings()
    if settings.broker_url is None:
        raise fail(
            "no broker URL: the embedded in-memory broker runs inside the process that sends messages; "
            "set CROSSDOCK_BROKER_URL=amqp://... to run separate workers"
        )
    spec = WorkerSpec(boot, threads=threads, queues=tuple(queues or ()), shutdown_timeout_s=shutdown_timeout)
    raise typer.Exit(supervise(spec, processes))


def queues(
    as_json: JsonOption = False,
    queue: Annotated[list[str] | None, typer.Option("--queue", help="Only these queues.")] = None,
) -> None:
    """Every crossdock queue with ready, unacked, consumers, delayed and dead-letter counts."""
    settings = load_settings()
    if settings.broker_url is None:
        raise fail("no broker URL: the in-memory broker has no queues to inspect; set CROSSDOCK_BROKER_URL")
    try:
        report = queue_report(
            settings.broker_url,
            queue or LANES,
            management_url=settings.rabbitmq_management_url,
            timeout_s=settings.network_timeout_s,
        )
    except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
        raise fail(f"cannot read queues from RabbitMQ: {exc!r}") from exc
    if as_json:
        print_json({"source": report.source, "note": report.note, "queues": [q.as_dict() for q in report.queues]})
        return
    table = Table("queue", "ready", "unacked", "consumers", "delayed", "dead letters", title=f"from {report.source}")
    for q in report.queues:
        cells = [q.ready, q.unacked, q.consumers, q.delayed, q.dead_letters]
        table.add_row(q.queue, *("-" if c is None else str(c) for c in cells))
    console.print(table)
    if report.note:
        console.print(report.note)


def trace(
    key: Annotated[str, typer.Argument(help="Order id, PO number, ERP order, control number, tracking number ...")],
    as_json: JsonOption = False,
) -> None:
    """Every hop of the messages a business key or correlation id touches, in time order."""
    store = Store.from_settings(load_settings())
    try:
        result = store.trace(key)
    finally:
        store.close()
    documents = [str(d) for d in result.documents.documents]
    if as_json:
        print_json(
            {
                "key": key,
                "correlation_ids": list(result.correlation_ids),
                "keys": [list(k) for k in result.keys],
                "documents": documents,
                "hops": [
                    {
                        "at": h.started_at.isoformat(),
                        "actor": h.actor,
                        "queue": h.queue,
                        "status": h.status.value,
                        "duration_ms": h.duration_ms,
                        "message_id": h.message_id,
                        "causation_id": h.causation_id,
                        "correlation_id": h.correlation_id,
                        "retries": h.retries,
                        "error": h.error_message,
                    }
                    for h in result.hops
                ],
            }
        )
    else:
        table = Table("at", "step", "queue", "status", "ms", "message", "error", title=f"trace {key}")
        for h in result.hops:
            ms = "" if h.duration_ms is None else f"{h.duration_ms:.1f}"
            table.add_row(
                h.started_at.isoformat(timespec="milliseconds"),
                h.actor,
                h.queue,
                h.status.value,
                ms,
                h.message_id[:12],
                (h.error_message or "")[:60],
            )
        console.print(table)
        if documents:
            console.print("related documents: " + ", ".join(documents))
    if not result.found:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the operator commands to the ``crossdock`` app."""
    app.command()(worker)
    app.command()(queues)
    app.command()(trace)
    app.add_typer(ops_dlq.app, name="dlq")
    app.add_typer(ops_exceptions.app, name="exceptions")
    app.command("reprocess")(ops_reprocess.reprocess_command)
    app.add_typer(ops_acks.app, name="acks")
    app.add_typer(ops_outbox.app, name="outbox")
