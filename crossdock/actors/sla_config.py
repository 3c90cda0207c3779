"""The ``sla:`` section of flows.yaml: how long each expected document may take.

::

    sla:
      lookback_days: 30                   # documents sent longer ago are not looked at any more
      deadlines:                          # per kind: a period (90s, 30m, 4h, 2d) or off
        940-997: 24h
        940-945: 3d
        945-confirmation: 4h
        shipment-invoice: 1d
      partners:                           # per trading partner (its X12 profile's name)
        northstar-3pl: {940-997: 4h, 940-945: 2d}
      channels:                           # per marketplace channel (and edi, for buyers' POs)
        amazon: {945-confirmation: 2h}

Kinds (:data:`crossdock.store.sla.KINDS`): ``940-997``, ``856-997``, ``855-997``, ``810-997``,
``940-945``, ``945-confirmation``, ``shipment-invoice``, ``order-acknowledgment``. A kind left out
keeps its default (:data:`crossdock.store.sla.DEFAULT_HOURS`). ``945-confirmation`` and
``order-acknowledgment`` are watched only for channels with a ``marketplaces:`` entry (the others are
never confirmed nor acknowledged).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crossdock.actors.schedule_config import parse_every
from crossdock.canonical import Channel
from crossdock.store.sla import DEFAULT_HOURS, KINDS, Deadlines
from crossdock.store.sla.deadlines import hours

OFF = "off"
MARKETPLACE_KINDS = ("945-confirmation", "order-acknowledgment")
"""Kinds only a marketplace with a ``marketplaces:`` entry answers."""
Period = bool | float | str | None
"""``4h``, ``2d``, ``90m``, ``0s``; a bare number is hours; ``off`` (YAML reads it as false) or null: not watched."""
Periods = dict[str, Period]


def _period(kind: str, value: Period) -> timedelta | None:
    if value is None or value is False or value == OFF:
        return None
    if value is True:
        raise ValueError(f"{kind}: give a period (4h, 2d) or off, not true")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{kind}: a deadline cannot be negative")
        return timedelta(hours=value)
    if value.strip() in ("0", "0s"):
        return timedelta(0)
    try:
        return parse_every(value)
    except ValueError as exc:
        raise ValueError(f"{kind}: {str(exc).removeprefix('every: ')} (or off)") from None


def _check(periods: Periods) -> Periods:
    for kind, value in periods.items():
        if kind not in KINDS:
            raise ValueError(f"{kind!r} is not a kind of expected document (known: {', '.join(KINDS)})")
        _period(kind, value)
    return periods


class SlaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lookback_days: int = Field(default=30, ge=1, le=366, description="Documents sent longer ago are not checked.")
    deadlines: Periods = Field(default_factory=dict, description="Per kind: a period (4h, 2d) or off.")
    partners: dict[str, Periods] = Field(default_factory=dict, description="Per trading partner, per kind.")
    channels: dict[str, Periods] = Field(default_factory=dict, description="Per channel, per kind.")

    @field_validator("deadlines")
    @classmethod
    def _kinds(cls, value: Periods) -> Periods:
        return _check(value)

    @field_validator("partners", "channels")
    @classmethod
    def _party_kinds(cls, value: dict[str, Periods]) -> dict[str, Periods]:
        for periods in value.values():
            _check(periods)
        return value

    def to_deadlines(self, *, marketplaces: Iterable[str] | None = None) -> Deadlines:
        """The deadlines; with ``marketplaces`` (the channels flows.yaml configures), what only a
        configured marketplace answers (a shipment's confirmation, an order's acknowledgment) is watched
        for those channels alone, unless ``channels:`` says otherwise."""
        by_kind: dict[str, timedelta | None] = {k: hours(h) for k, h in DEFAULT_HOURS.items()}
        by_kind.update({k: _period(k, v) for k, v in self.deadlines.items()})
        by_party: dict[tuple[str, str], timedelta | None] = {}
        if marketplaces is not None:
            configured = set(marketplaces)
            for channel in (*(c.value for c in Channel), *self.channels):
                if channel not in configured:
                    by_party.update({(kind, channel): None for kind in MARKETPLACE_KINDS})
        for section in (self.partners, self.channels):
            for party, periods in section.items():
                by_party.update({(kind, party): _period(kind, text) for kind, text in periods.items()})
        return Deadlines(by_kind, by_party, timedelta(days=self.lookback_days))


def describe(deadlines: Deadlines) -> Mapping[str, str]:
    """Each kind's deadline as people read it (``24h``, ``off``)."""
    return {kind: _text(deadlines.by_kind.get(kind)) for kind in KINDS}


def _text(value: timedelta | None) -> str:
    if value is None:
        return OFF
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
