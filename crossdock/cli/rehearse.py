"""``crossdock rehearse --orders-per-day N --burst X --erp-outage SECONDS [--minutes M] [--json]``: the
peak-day rehearsal (:mod:`crossdock.actors.rehearsal`) on embedded defaults. Exit 0 when the count
check passes (nothing lost, nothing twice in the ERP or at the 3PL), 1 when it fails, 2 when it cannot
run (bad options, a broker URL in the settings: the rehearsal on RabbitMQ is not built yet)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from crossdock.cli.boundary import CommandError
from crossdock.cli.output import JsonOption
from crossdock.examples import EXAMPLES


def rehearse(
    orders_per_day: Annotated[int, typer.Option("--orders-per-day", help="Orders in the whole (compressed) day.")],
    burst: Annotated[
        float, typer.Option("--burst", help="Rate in the middle tenth of the day, in times the base rate.")
    ] = 5.0,
    erp_outage: Annotated[
        float, typer.Option("--erp-outage", help="Seconds the ERP answers 503 to everything, mid-day (0: none).")
    ] = 30.0,
    minutes: Annotated[float, typer.Option("--minutes", help="How long the compressed day lasts.")] = 2.0,
    breaker_cooldown: Annotated[
        float, typer.Option("--breaker-cooldown", help="The ERP circuit breaker's cool-down (s) before a probe.")
    ] = 5.0,
    workdir: Annotated[
        Path | None, typer.Option("--workdir", help="Keep the state (SQLite, mailboxes) here. Default: temporary.")
    ] = None,
    examples: Annotated[Path, typer.Option("--examples", help="Folder with the example files.")] = EXAMPLES,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Let the worker log each failed attempt (the outage's retries).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """A peak day at a compressed clock: N orders over every channel with a burst and an ERP outage in
    the middle; reports throughput, queue depths over time, the slowest step, the drain time after the
    outage and the count check (each order once in the ERP, once at the 3PL, nothing lost)."""
    import logging

    from crossdock.actors.rehearsal import Plan
    from crossdock.cli import runtime

    plan = Plan(orders_per_day, burst, erp_outage, minutes, breaker_cooldown_s=breaker_cooldown)
    problems = plan.problems()
    if problems:
        raise CommandError("; ".join(problems))
    if runtime.settings().broker_url is not None:
        raise CommandError("crossdock rehearse runs on embedded defaults only: unset CROSSDOCK_BROKER_URL "
                           "(bench/e2e_bench.py measures RabbitMQ and PostgreSQL with worker processes)")  # fmt: skip
    dramatiq_log = logging.getLogger("dramatiq")
    level = dramatiq_log.level
    if not verbose:
        dramatiq_log.setLevel(logging.CRITICAL)  # retries are in the journal and the report
    try:
        report = _run(plan, workdir, examples)
    finally:
        dramatiq_log.setLevel(level)
    if as_json:
        import json

        typer.echo(json.dumps(report.figures, default=str))  # one line: the series stay compact
    else:
        _print(report.figures)
    raise typer.Exit(0 if report.ok else 1)


def _run(plan: Any, workdir: Path | None, examples: Path) -> Any:
    from crossdock.actors.rehearsal import rehearse as run
    from crossdock.errors import ConfigError

    try:
        return run(plan, workdir, examples=examples)
    except (OSError, ConfigError) as exc:
        raise CommandError(f"cannot run the rehearsal: {exc}") from exc


def _print(figures: dict[str, Any]) -> None:
    from crossdock.cli.output import print_table

    outage, slowest, check = figures["outage"], figures["slowest_step"], figures["count_check"]
    typer.echo(f"{figures['orders_received']} orders in {figures['wall_s']} s "
               f"({figures['throughput_orders_per_s']} orders/s; day {figures['day_s_actual']} s, "
               f"drained {figures['drained_after_day_s']} s after it)")  # fmt: skip
    typer.echo(f"ERP outage {outage['start_s']}-{outage['end_s']} s; queues back to their depth "
               f"{outage['drain_s']} s after it")  # fmt: skip
    typer.echo(f"slowest step: {slowest.get('step')} p50 {slowest.get('p50_ms')} ms, p99 {slowest.get('p99_ms')} ms")
    rows = [[s, str(t["p50_ms"]), str(t["p99_ms"]), str(t["n"])] for s, t in figures["steps"].items()]
    print_table(["step", "p50 ms", "p99 ms", "hops"], rows)
    depths = figures["queue_depths"]
    typer.echo(f"queue depth, all lanes, every {depths['interval_s']} s: "
               + " ".join(str(n) for n in depths["total"]))  # fmt: skip
    verdict = "ok" if check["ok"] else "FAILED"
    typer.echo(f"count check: lost {check['lost']}, twice in the ERP {len(check['erp_doubled'])}, "
               f"sent twice to the 3PL {len(check['sent_twice_to_3pl'])}: {verdict}")  # fmt: skip
