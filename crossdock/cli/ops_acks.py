"""``crossdock acks overdue``: outbound X12 groups (940s, 856s, 855s, 810s) still without the
partner's 997 after HOURS, whatever flows.yaml's ``sla:`` says. A thin wrapper of ``crossdock sla
overdue`` limited to the ``*-997`` kinds (see :mod:`crossdock.cli.sla`); kept for the monitors that
call it. Exit codes: 0 nothing overdue, 1 overdue groups listed, 2 could not run (database,
configuration, a ``--partner`` flows.yaml does not name).
"""

from __future__ import annotations

from typing import Annotated

import typer

from crossdock.cli import runtime
from crossdock.cli.boundary import CommandError
from crossdock.cli.output import Format, FormatOption, JsonOption
from crossdock.cli.sla import run_check, show

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
    """Groups we sent that expect a 997 and have none after HOURS, oldest first (``sla overdue`` for
    the 997 kinds). Exit 0 none overdue, 1 some overdue, 2 could not run."""
    from crossdock.store.sla import acknowledgments_after

    if partner is not None:
        _check_partner(partner)
    deadlines = acknowledgments_after(hours)
    now, report = run_check(deadlines, kinds=None, party=partner, open_items=open_items)
    show(now, report, as_json=as_json, fmt=fmt, partner_key=True)
