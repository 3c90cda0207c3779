"""Allocation rules: how a SKU's free stock is offered to each sales channel (``inventory:`` in flows.yaml).

::

    inventory:
      safety_stock: 2                 # units kept back at every location, per SKU
      locations: [COL1]               # the locations whose stock is offered (all when empty)
      channels:
        shopify: {share: 1.0, priority: 1}
        amazon:  {share: 0.5, safety_stock: 3, priority: 2}
        walmart: {fixed: 10, priority: 3}     # a dedicated quantity, taken first
        ebay:    {enabled: false}              # switched off: told 0
      kits:
        GIFT-SET: {CD-TEE-BLK-M: 1, CD-MUG: 2}

Per location, ``free = on hand - reserved - safety stock`` (never below 0). Channels with ``fixed`` take
their quantity from ``free`` first, in ``priority`` order (lowest first) until none is left; what remains
is the shared rest. A channel with ``share`` is offered ``floor(share * rest)``: shares are views of the
same rest, so shares that add up to more than 1 offer the same units on several channels (the usual
setup, kept honest by pushing every change within seconds), and shares adding up to at most 1 partition
the rest. A channel's own ``safety_stock`` is taken off its offer. A channel switched off is offered 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator


class ChannelRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    share: float | None = Field(default=None, gt=0, le=1, description="Offer this fraction of the shared rest.")
    fixed: int | None = Field(default=None, ge=0, description="A dedicated quantity, taken before the shared rest.")
    priority: int = Field(default=100, description="Order in which fixed quantities are served (lowest first).")
    safety_stock: int = Field(default=0, ge=0, description="Units kept off this channel's offer.")
    enabled: bool = Field(default=True, description="A channel switched off is offered 0.")

    @model_validator(mode="after")
    def _one_kind(self) -> ChannelRule:
        if self.share is not None and self.fixed is not None:
            raise ValueError("give share or fixed, not both")
        return self

    @property
    def effective_share(self) -> float:
        return 1.0 if self.share is None and self.fixed is None else (self.share or 0.0)


class AvailabilityRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    safety_stock: int = Field(default=0, ge=0, description="Units kept back per SKU at every location.")
    locations: list[str] = Field(default_factory=list, description="Locations offered (all when empty).")
    channels: dict[str, ChannelRule] = Field(default_factory=dict)
    kits: dict[str, dict[str, int]] = Field(default_factory=dict, description="Kit SKU -> component SKU -> units.")
    _plan: Plan | None = PrivateAttr(default=None)

    def model_post_init(self, context: object, /) -> None:
        self._plan = Plan.of(self)

    @property
    def plan(self) -> Plan:
        """The rules as plain tuples and dicts, built once (what the allocation loop reads)."""
        assert self._plan is not None
        return self._plan

    @model_validator(mode="after")
    def _kits(self) -> AvailabilityRules:
        for kit, parts in self.kits.items():
            if not parts:
                raise ValueError(f"kits.{kit}: a kit needs at least one component")
            for part, units in parts.items():
                if units < 1:
                    raise ValueError(f"kits.{kit}.{part}: units must be at least 1")
                if part in self.kits:
                    raise ValueError(f"kits.{kit}.{part}: a component cannot itself be a kit")
        return self

    def ordered_channels(self) -> list[tuple[str, ChannelRule]]:
        """Channels by priority, then name (a stable order whatever the config's order)."""
        return sorted(self.channels.items(), key=lambda item: (item[1].priority, item[0]))

    def offers(self, location: str) -> bool:
        return not self.locations or location in self.locations

    def kits_using(self, sku: str) -> list[str]:
        return self.plan.used_in.get(sku, [])


@dataclass(frozen=True, slots=True)
class Plan:
    fixed: tuple[tuple[str, int, int], ...]
    """Enabled channels with a fixed quantity, by priority: (channel, quantity, safety stock)."""
    shares: tuple[tuple[str, float, int], ...]
    """Enabled channels offered a share of the rest: (channel, share, safety stock)."""
    off: tuple[str, ...]
    safety_stock: int
    locations: frozenset[str]
    kits: dict[str, dict[str, int]]
    used_in: dict[str, list[str]]

    @classmethod
    def of(cls, rules: AvailabilityRules) -> Plan:
        ordered = rules.ordered_channels()
        used_in: dict[str, list[str]] = {}
        for kit in sorted(rules.kits):
            for part in rules.kits[kit]:
                used_in.setdefault(part, []).append(kit)
        return cls(
            fixed=tuple((c, r.fixed, r.safety_stock) for c, r in ordered if r.enabled and r.fixed is not None),
            shares=tuple((c, r.effective_share, r.safety_stock) for c, r in ordered if r.enabled and r.fixed is None),
            off=tuple(c for c, r in ordered if not r.enabled),
            safety_stock=rules.safety_stock,
            locations=frozenset(rules.locations),
            kits={kit: dict(parts) for kit, parts in rules.kits.items()},
            used_in=used_in,
        )
