"""Operator commands: ``crossdock worker``, ``queues``, ``trace``, ``dlq ...``, ``exceptions ...``,
``reprocess``, ``acks overdue`` and ``outbox ...``.

Composition root: read settings, build what the command needs, call one function, print a table
(rich) or ``--json``. Exit codes: 0 done, 1 nothing found / nothing to do, 2 configuration error
(no broker URL where RabbitMQ is needed, unreachable server).
"""

from __future__ import annotations

from typing import Annotated

import typer

from crossdock.cli import ops_acks, ops_dlq, ops_exceptions, ops_outbox, ops_reprocess, ops_trace, runtime
from crossdock.cli.boundary import CommandError
from crossdock.cli.output import Format, FormatOption, JsonOption, print_json, print_table


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"crossdock: {message}", err=True)
    return typer.Exit(code)


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
    process that dies is restarted (docs/backbone.md, "Worker supervision"). Before the first fork it
    checks the flows configuration, the database schema and the RabbitMQ virtual host: exit 2 when one
    fails."""
    from crossdock.broker.supervisor import supervise
    from crossdock.broker.worker_child import WorkerSpec

    settings = runtime.settings()
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
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Every crossdock queue with ready, unacked, consumers, delayed and dead-letter counts. Exit 2 when
    RabbitMQ cannot be read."""
    from crossdock.broker.lanes import LANES
    from crossdock.broker.probe import check_broker
    from crossdock.broker.queue_stats import queue_report
    from crossdock.settings import mask_url_password

    settings = runtime.settings()
    url = runtime.require_broker(settings, "reading queues")
    timeout_s = min(settings.network_timeout_s, 10.0)
    check_broker(url, timeout_s=timeout_s)  # one line naming the vhost, rather than pika's many classes
    try:
        report = queue_report(
            url, queue or LANES, management_url=settings.rabbitmq_management_url, timeout_s=settings.network_timeout_s
        )
    except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
        raise CommandError(f"cannot read queues from RabbitMQ {mask_url_password(url)}: {exc!r}") from exc
    if as_json:
        print_json({"source": report.source, "note": report.note, "queues": [q.as_dict() for q in report.queues]})
        return
    rows = [[q.queue, q.ready, q.unacked, q.consumers, q.delayed, q.dead_letters] for q in report.queues]
    columns = ["queue", "ready", "unacked", "consumers", "delayed", "dead letters"]
    print_table(columns, rows, title=f"from {report.source}", fmt=fmt)
    if report.note:
        typer.echo(report.note, err=fmt is Format.TSV)


def register(app: typer.Typer) -> None:
    """Add the operator commands to the ``crossdock`` app."""
    app.command()(worker)
    app.command()(queues)
    app.command("trace")(ops_trace.trace)
    app.add_typer(ops_dlq.app, name="dlq")
    app.add_typer(ops_exceptions.app, name="exceptions")
    app.command("reprocess")(ops_reprocess.reprocess_command)
    app.add_typer(ops_acks.app, name="acks")
    app.add_typer(ops_outbox.app, name="outbox")
