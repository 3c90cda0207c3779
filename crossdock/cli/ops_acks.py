"""``crossdock acks overdue``: outbound X12 groups (940s, 856s) still without the partner's 997.

Run it from cron or a monitor: it lists the groups, and with ``--open-items`` opens one integration
work item per overdue group (once). Exit codes as the other operator commands: 0 overdue groups
listed, 1 none overdue.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from crossdock.settings import load_settings
from crossdock.store import Store
from crossdock.store.ack_watch import open_work_items, overdue_groups

app = typer.Typer(help="Functional acknowledgments (997) we are waiting for.", no_args_is_help=True)
console = Console()


@app.command()
def overdue(
    hours: Annotated[float, typer.Option(min=0, help="A group is overdue this many hours after it was sent.")] = 24,
    partner: Annotated[str | None, typer.Option(help="Only this trading partner.")] = None,
    open_items: Annotated[
        bool, typer.Option("--open-items", help="Open an integration work item per overdue group (once).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Groups we sent that expect a 997 and have none after HOURS, oldest first."""
    now = datetime.now(UTC)
    store = Store.from_settings(load_settings())
    try:
        groups = overdue_groups(store, now=now, after=timedelta(hours=hours), partner=partner)
        opened = open_work_items(store, groups, now=now) if open_items else []
        if opened:  # show the new items' ids
            groups = overdue_groups(store, now=now, after=timedelta(hours=hours), partner=partner)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({"overdue": [g.to_dict(now) for g in groups], "opened_work_items": opened}, indent=2))
    else:
        table = Table("partner", "group", "sent", "hours", "carried", "work item", title=f"{len(groups)} overdue")
        for g in groups:
            row = g.to_dict(now)
            table.add_row(g.partner, g.group_control_number, g.sent_at.isoformat(timespec="seconds"),
                          str(row["hours_waiting"]), ", ".join(str(d) for d in g.documents) or "-",
                          str(g.work_item) if g.work_item is not None else "-")  # fmt: skip
        console.print(table)
    if not groups:
        raise typer.Exit(1)
