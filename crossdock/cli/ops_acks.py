"""``crossdock acks overdue``: outbound X12 groups (940s, 856s) still without the partner's 997.

Run it from cron or a monitor: it lists the groups, and with ``--open-items`` opens one integration
work item per overdue group (once). Exit codes, as every command: 0 nothing overdue, 1 overdue groups
listed, 2 could not run (database, configuration, a ``--partner`` flows.yaml does not name).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from crossdock.cli import runtime
from crossdock.cli.boundary import CommandError
from crossdock.cli.output import Format, FormatOption, JsonOption, print_json, print_table

app = typer.Typer(
    rich_markup_mode=None, help="Functional acknowledgments (997) we are waiting for.", no_args_is_help=True
)


def _check_partner(name: str) -> None:
    """``name`` must be a trading partner of flows.yaml: a typo would otherwise report "nothing overdue"."""
    from crossdock.actors.flow_config import load_flow_config
    from crossdock.actors.wiring import flows_file
    from crossdock.edi.partners import load_partner_profile
    from crossdock.errors import ConfigError

    config = load_flow_config(flows_file(runtime.settings()))
    known = []
    for partner in config.partners:
        try:
            known.append(load_partner_profile(partner.edi.read_bytes(), name_hint=str(partner.edi)).name)
        except OSError as exc:
            raise ConfigError(f"cannot read partner profile {partner.edi}: {exc.strerror}") from exc
    if name not in known:
        raise CommandError(f"--partner {name!r} is not a trading partner of flows.yaml (known: {', '.join(known)})")


@app.command()
def overdue(
    hours: Annotated[float, typer.Option(min=0, help="A group is overdue this many hours after it was sent.")] = 24,
    partner: Annotated[
        str | None, typer.Option(help="Only this trading partner (a name flows.yaml's partners have).")
    ] = None,
    open_items: Annotated[
        bool, typer.Option("--open-items", help="Open an integration work item per overdue group (once).")
    ] = False,
    as_json: JsonOption = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Groups we sent that expect a 997 and have none after HOURS, oldest first. Exit 0 none overdue,
    1 some overdue, 2 could not run."""
    from crossdock.store.ack_watch import open_work_items, overdue_groups

    if partner is not None:
        _check_partner(partner)
    now = datetime.now(UTC)
    store = runtime.open_store(runtime.settings())
    try:
        groups = overdue_groups(store, now=now, after=timedelta(hours=hours), partner=partner)
        opened = open_work_items(store, groups, now=now) if open_items else []
        if opened:  # show the new items' ids
            groups = overdue_groups(store, now=now, after=timedelta(hours=hours), partner=partner)
    finally:
        store.close()
    if as_json:
        print_json({"overdue": [g.to_dict(now) for g in groups], "opened_work_items": opened})
    else:
        rows = [
            [g.partner, g.group_control_number, g.sent_at.isoformat(timespec="seconds"),
             g.to_dict(now)["hours_waiting"], ", ".join(str(d) for d in g.documents) or "-", g.work_item]
            for g in groups
        ]  # fmt: skip
        columns = ["partner", "group", "sent", "hours", "carried", "work item"]
        print_table(columns, rows, title=f"{len(groups)} overdue", fmt=fmt)
    if groups:
        raise typer.Exit(1)
