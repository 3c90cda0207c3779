"""``crossdock sla overdue``: documents we sent whose answer is late (a 940's 997 or 945, an 856's 997,
a shipment's marketplace confirmation or invoice), with the deadlines of flows.yaml's ``sla:`` section
(the defaults without ``CROSSDOCK_CONFIG_DIR``).

Run it from cron or a monitor, or let the scheduler's ``sla-overdue`` job run it: with ``--open-items``
it opens one work item per overdue document for its owner, once. Exit codes, as every command: 0
nothing overdue, 1 overdue documents listed, 2 could not run (database, configuration, an unknown kind).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossdock.cli import runtime
from crossdock.cli.boundary import CommandError
from crossdock.cli.output import Format, FormatOption, JsonOption, print_json, print_table

if TYPE_CHECKING:
    from crossdock.store.sla import Deadlines

app = typer.Typer(
    rich_markup_mode=None, help="Deadlines for the next expected document (flows.yaml sla:).", no_args_is_help=True
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="sla")


def run_check(
    deadlines: Deadlines, *, kinds: Sequence[str] | None, party: str | None, open_items: bool
) -> tuple[datetime, Any]:
    """The check on the store of the settings: (now, its report)."""
    from crossdock.actors.sla_watch import check

    now = datetime.now(UTC)
    store = runtime.open_store(runtime.settings())
    try:
        return now, check(store, deadlines, now=now, open_items=open_items, kinds=kinds, party=party)
    finally:
        store.close()


def show(now: datetime, report: Any, *, as_json: bool, fmt: Format, partner_key: bool = False) -> None:
    """Print the report (a table, or one JSON document) and exit 1 when something is overdue;
    ``partner_key`` adds ``partner`` (the party) to each JSON entry, as ``acks overdue`` printed it."""
    if as_json:
        rows = [{**o.to_dict(now), **({"partner": o.party} if partner_key else {})} for o in report.overdue]
        print_json({"overdue": rows, "opened_work_items": report.opened})
    else:
        rows = [
            [o.kind.name, o.party, o.waiting.key, o.waiting.sent_at.isoformat(timespec="seconds"),
             o.due_at.isoformat(timespec="seconds"), o.to_dict(now)["hours_waiting"], o.kind.owner.value, o.work_item]
            for o in report.overdue
        ]  # fmt: skip
        columns = ["kind", "partner/channel", "key", "sent", "due", "hours", "owner", "work item"]
        print_table(columns, rows, title=f"{len(report.overdue)} overdue", fmt=fmt)
    if report.overdue:
        raise typer.Exit(1)


@app.command()
def overdue(
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only this kind (940-997, 940-945 ...); repeat the option.")
    ] = None,
    party: Annotated[str | None, typer.Option("--party", help="Only this trading partner or channel.")] = None,
    open_items: Annotated[
        bool, typer.Option("--open-items", help="Open a work item per overdue document for its owner (once).")
    ] = False,
    as_json: JsonOption = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Documents sent whose next document is past its deadline, oldest first: kind, partner or channel,
    business key, sent, due, hours waiting, owner, work item. Exit 0 none overdue, 1 some, 2 could not run."""
    from crossdock.actors.sla_watch import deadlines_for
    from crossdock.store.sla import KINDS

    unknown = [k for k in kind or () if k not in KINDS]
    if unknown:
        raise CommandError(f"--kind {unknown[0]!r} is not a kind of expected document (known: {', '.join(KINDS)})")
    deadlines = deadlines_for(runtime.settings())
    now, report = run_check(deadlines, kinds=kind, party=party, open_items=open_items)
    show(now, report, as_json=as_json, fmt=fmt)


@app.command()
def deadlines(as_json: JsonOption = False) -> None:
    """Each kind's deadline as configured (flows.yaml sla:, else the defaults), and its owner."""
    from crossdock.actors.sla_config import describe
    from crossdock.actors.sla_watch import deadlines_for
    from crossdock.store.sla import KINDS

    configured = describe(deadlines_for(runtime.settings()))
    rows = [[name, k.sent, k.expected, configured[name], k.owner.value] for name, k in KINDS.items()]
    if as_json:
        print_json([dict(zip(["kind", "sent", "expected", "deadline", "owner"], row, strict=True)) for row in rows])
        return
    print_table(["kind", "sent", "expected", "deadline", "owner"], rows, title="deadlines")
