"""The SLA check as the command line, the scheduler and the console run it: the deadlines of
flows.yaml's ``sla:`` section (the defaults without a flows.yaml), the overdue documents, and with
``open_items`` one work item for each (once)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from crossdock.actors.flow_config import FlowConfig, load_flow_config
from crossdock.settings import Settings
from crossdock.store import Store
from crossdock.store.sla import DEFAULT, Deadlines, Overdue, open_work_items, overdue_documents


def deadlines_of(config: FlowConfig) -> Deadlines:
    return config.sla.to_deadlines(marketplaces=config.marketplaces)


def deadlines_for(settings: Settings) -> Deadlines:
    """flows.yaml's deadlines when ``CROSSDOCK_CONFIG_DIR`` is set (a missing or broken file is a
    :class:`~crossdock.errors.ConfigError`), else the defaults."""
    if settings.config_dir is None:
        return DEFAULT
    from crossdock.actors.wiring import flows_file

    return deadlines_of(load_flow_config(flows_file(settings)))


@dataclass(frozen=True, slots=True)
class SlaReport:
    overdue: list[Overdue]
    opened: list[int]

    def summary(self) -> str:
        kinds = Counter(o.kind.name for o in self.overdue)
        by_kind = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
        return (
            f"{len(self.overdue)} overdue"
            + (f" ({by_kind})" if by_kind else "")
            + (f", {len(self.opened)} work items opened")
        )


def check(
    store: Store,
    deadlines: Deadlines,
    *,
    now: datetime,
    open_items: bool = False,
    kinds: Iterable[str] | None = None,
    party: str | None = None,
) -> SlaReport:
    found = overdue_documents(store, deadlines, now=now, kinds=kinds, party=party)
    if not open_items:
        return SlaReport(found, [])
    opened = open_work_items(store, found, now=now)
    if opened:  # list them with their new items
        found = overdue_documents(store, deadlines, now=now, kinds=kinds, party=party)
    return SlaReport(found, opened)
