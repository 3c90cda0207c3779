"""How long each expected document may take: a deadline per kind, overridden per partner or channel.

``None`` is "not watched": a kind switched off, or a partner or channel that never sends it (orders of
a channel crossdock does not confirm). Built from flows.yaml's ``sla:`` section by
:mod:`crossdock.actors.sla_config`; :data:`DEFAULT` holds the defaults when there is no such section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

DEFAULT_HOURS: Mapping[str, float | None] = MappingProxyType({
    "940-997": 24,
    "856-997": 24,
    "855-997": 24,
    "810-997": 24,
    "940-945": 72,
    "945-confirmation": 4,
    "shipment-invoice": 24,
    "order-acknowledgment": None,  # Walmart asks for one within 4h: on per channel once the step runs
})  # fmt: skip
"""The deadline of each kind, in hours, when flows.yaml says nothing."""
DEFAULT_LOOKBACK = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Deadlines:
    """``of(kind, party)``: the override for that partner or channel, else the kind's deadline."""

    by_kind: Mapping[str, timedelta | None]
    by_party: Mapping[tuple[str, str], timedelta | None] = field(default_factory=dict)
    lookback: timedelta = DEFAULT_LOOKBACK
    """Documents sent longer ago than this are not looked at any more (their work items stay)."""

    def of(self, kind: str, party: str) -> timedelta | None:
        if (kind, party) in self.by_party:
            return self.by_party[(kind, party)]
        return self.by_kind.get(kind)

    def shortest(self, kind: str) -> timedelta | None:
        """The shortest deadline of ``kind`` over every party (``None``: nobody is watched for it)."""
        candidates = (self.by_kind.get(kind), *(v for (k, _), v in self.by_party.items() if k == kind))
        found = [d for d in candidates if d is not None]
        return min(found) if found else None

    def only(self, kinds: set[str]) -> Deadlines:
        """These deadlines for ``kinds`` alone (the others off)."""
        return Deadlines(
            {k: v for k, v in self.by_kind.items() if k in kinds},
            {key: v for key, v in self.by_party.items() if key[0] in kinds},
            self.lookback,
        )


def hours(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(hours=value)


DEFAULT = Deadlines({kind: hours(h) for kind, h in DEFAULT_HOURS.items()})


def acknowledgments_after(after_hours: float) -> Deadlines:
    """The 997 of every set we send, due ``after_hours`` after it was sent, for every partner; the other
    kinds off (``crossdock acks overdue --hours``)."""
    return Deadlines({kind: hours(after_hours) if kind.endswith("-997") else None for kind in DEFAULT_HOURS})
