"""What the inventory flow is given beyond the store: the allocation rules and each channel's adapter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from crossdock.bridges.rest.inventory import InventoryChannel
from crossdock.canonical.availability import AvailabilityRules


@dataclass(frozen=True)
class InventoryPorts:
    rules: AvailabilityRules
    channels: Mapping[str, InventoryChannel] = field(default_factory=dict)
    """Channel -> where its quantities are set (a channel in the rules without one is computed, not pushed)."""
    location: str = "MAIN"
    """Where an order's reservations are held, and the location of an 846 that names none."""
    split: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    """Channels told per location (Shopify locations): channel -> ``<channel>@<location id>`` -> our
    locations feeding it; each such name is a channel of its own in ``channels`` and the store."""

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
