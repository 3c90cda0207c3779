"""Available to sell: the pure core of the inventory flow (no IO).

- :mod:`.inputs`: what moves stock (an on-hand balance, a reservation), each with its version
  (as-of time, then sequence); :func:`~.inputs.supersedes` decides whether an update replaces what is held.
- :mod:`.ledger`: the inputs held per SKU and location, updated only by newer versions.
- :mod:`.rules`: the allocation rules from config (per channel: share, fixed quantity, priority, safety
  stock, switched off; kits and their components).
- :mod:`.allocate`: on hand - reserved - safety stock, allocated to channels; kits as the minimum over
  their components.
"""

from crossdock.canonical.availability.allocate import ChannelQuantities, available_to_sell
from crossdock.canonical.availability.inputs import ReservationUpdate, StockUpdate, Version, supersedes
from crossdock.canonical.availability.ledger import Ledger
from crossdock.canonical.availability.rules import AvailabilityRules, ChannelRule

__all__ = [
    "AvailabilityRules",
    "ChannelQuantities",
    "ChannelRule",
    "Ledger",
    "ReservationUpdate",
    "StockUpdate",
    "Version",
    "available_to_sell",
    "supersedes",
]
