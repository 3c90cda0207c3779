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
    _used_in: dict[str, list[str]] = PrivateAttr(default_factory=dict)
    _ordered: list[tuple[str, ChannelRule]] = PrivateAttr(default_factory=list)

    def model_post_init(self, context: object, /) -> None:
        used_in: dict[str, list[str]] = {}
        for kit in sorted(self.kits):
            for part in self.kits[kit]:
                used_in.setdefault(part, []).append(kit)
        self._used_in = used_in
        self._ordered = sorted(self.channels.items(), key=lambda item: (item[1].priority, item[0]))

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
        return self._ordered

    def offers(self, location: str) -> bool:
        return not self.locations or location in self.locations

    def kits_using(self, sku: str) -> list[str]:
        return self._used_in.get(sku, [])
