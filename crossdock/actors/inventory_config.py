"""The ``inventory:`` section of flows.yaml: the allocation rules, where reservations are held, and the
channels quantities are pushed to::

    inventory:
      location: COL1                     # reservations are held here; an 846 without N1*WH is for here
      safety_stock: 2
      channels:                          # allocation rules (crossdock.canonical.availability.rules)
        shopify: {share: 1.0, priority: 1}
        amazon:  {share: 0.5, safety_stock: 3}
        walmart: {fixed: 10}
      kits: {GIFT-SET: {CD-TEE-BLK-M: 1, CD-MUG: 2}}
      push:                              # where quantities go; base_url and token from marketplaces.<channel>
        shopify: {location_id: 655441491, item_ids: {CD-TEE-BLK-M: 808950810}}
        # or, per Shopify location: {locations: {655441491: [COL1], 655441492: [STORE1]}, item_ids: ...}
        walmart: {}
        amazon: {seller_id: A2EUQ1WTGCTBG2}   # marketplace_id from marketplaces.amazon
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crossdock.canonical.availability import AvailabilityRules


class PushTarget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    location_id: int | None = Field(default=None, description="Shopify: the location whose levels are set.")
    locations: dict[int, list[str]] = Field(
        default_factory=dict,
        description="Shopify, several locations: Shopify location id -> our locations that feed it (each "
        "Shopify location is set with the channel's quantity over those locations).",
    )
    item_ids: dict[str, int] = Field(default_factory=dict, description="Shopify: SKU -> inventory item id.")
    seller_id: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,20}$", description="Amazon: the seller id.")


class InventoryConfig(AvailabilityRules):
    location: str = Field(default="MAIN", min_length=1)
    push: dict[str, PushTarget] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _targets(self) -> InventoryConfig:
        for channel, target in self.push.items():
            if channel not in ("shopify", "walmart", "amazon"):
                raise ValueError(f"push.{channel}: crossdock pushes inventory to shopify, walmart and amazon")
            if channel not in self.channels:
                raise ValueError(f"push.{channel}: the channel has no allocation rule (channels.{channel})")
            if channel == "shopify" and (target.location_id is None) == (not target.locations):
                raise ValueError("push.shopify: give location_id (one Shopify location) or locations (several)")
            fed = [where for feeders in target.locations.values() for where in feeders]
            if len(fed) != len(set(fed)):
                raise ValueError(f"push.{channel}.locations: one of our locations feeds two Shopify locations")
            if channel == "amazon" and target.seller_id is None:
                raise ValueError("push.amazon: seller_id is required")
        return self

    def split(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """Channels pushed per location: channel -> ``<channel>@<location id>`` -> our locations feeding it."""
        return {channel: {f"{channel}@{loc}": tuple(feeders) for loc, feeders in sorted(target.locations.items())}
                for channel, target in self.push.items() if target.locations}  # fmt: skip

    def rules(self) -> AvailabilityRules:
        return AvailabilityRules.model_validate(self.model_dump(include=set(AvailabilityRules.model_fields)))
