"""The marketplace simulator: Shopify-, Amazon SP-API- and Walmart-style endpoints on loopback with
seeded orders, pagination, token-bucket rate limiting, fault injection and signed webhooks."""

from crossdock.bridges.rest.sim.app import create_sim_app
from crossdock.bridges.rest.sim.state import SimState

__all__ = ["SimState", "create_sim_app"]
