"""Shopify Admin REST over the marketplace client: create fulfillments (fulfillment orders API) and set
inventory levels. Orders arrive by webhook (see ``receiver``).

:meth:`ShopifyAdapter.fulfill` is safe to call again for the same shipment (a retried or replayed flow
step): it first reads the order's fulfillments and returns the one that already carries this
shipment's tracking number instead of creating a second. That is why it needs a tracking number.
"""

from __future__ import annotations

from typing import Any

from crossdock.bridges.rest.client import MarketplaceClient, path_segment
from crossdock.bridges.rest.lines import renumber_by_sku
from crossdock.canonical.inventory import InventoryLevel
from crossdock.canonical.marketplaces import shopify as mapping
from crossdock.canonical.shipment import Shipment
from crossdock.errors import MappingError

API_VERSION = "2024-01"
SHOP = "shop"
"""Shopify's REST limit is one leaky bucket per shop and app, so every call shares one pacer."""
FULFILLABLE = ("open", "in_progress")
"""Fulfillment order statuses that take a fulfillment (``in_progress``: partly fulfilled)."""
NOT_DONE = frozenset({"cancelled", "error", "failure"})
"""Fulfillment statuses that did not fulfil anything."""
AUTH_HEADER = "X-Shopify-Access-Token"
"""The header Shopify takes an Admin API access token in."""


class ShopifyAdapter:
    def __init__(self, client: MarketplaceClient, *, api_version: str = API_VERSION) -> None:
        self.client = client
        self.base = f"/admin/api/{api_version}"

    def close(self) -> None:
        self.client.close()

    def fulfill(self, shipment: Shipment, *, notify_customer: bool = False) -> list[dict[str, Any]]:
        """One fulfillment per order of the shipment (``order_ref``, else ``po_number``, is the Shopify
        order id), as Shopify returns it: the one created, or the order's existing fulfillment that
        already carries one of the order's tracking numbers (nothing is created then). Lines are
        translated to the order's open fulfillment order's line item ids first; a line whose number is
        no line item id of the order (a 945 without N9*LI) is matched by its SKU when exactly one line
        item of the order has that SKU."""
        done = []
        for index, order in enumerate(shipment.orders):
            order_id = order.order_ref or order.po_number
            if not order_id:
                raise MappingError("cannot fulfil on Shopify", [(f"orders[{index}].order_ref", "is required")])
            one = shipment.model_copy(update={"orders": [order]})
            numbers = tracking_numbers(one)
            if not numbers:
                raise MappingError(
                    "cannot fulfil on Shopify",
                    [(f"orders[{index}].packages.tracking_number", "a tracking number is required: it is how a "
                      "confirmation sent again is recognised")],
                    key=shipment.shipment_id,
                )  # fmt: skip
            existing = self._fulfillment_with(order_id, numbers)
            if existing is not None:
                done.append(existing)
                continue
            fo = self._open_fulfillment_order(order_id)
            line_ids = {str(line["line_item_id"]): line["id"] for line in fo.get("line_items", [])}
            if any(line.line_number not in line_ids for line in order.all_lines):
                one = self._lines_by_sku(order_id, one)
            body = mapping.fulfillment_payload(
                one, fulfillment_order_id=fo["id"], fulfillment_line_ids=line_ids, notify_customer=notify_customer
            )
            reply = self.client.send_json("POST", f"{self.base}/fulfillments.json", body, operation=SHOP)
            done.append(reply["fulfillment"] if isinstance(reply, dict) and "fulfillment" in reply else reply)
        return done

    def _order_path(self, order_id: str, resource: str) -> str:
        return f"{self.base}/orders/{path_segment(order_id, 'order_ref')}/{resource}.json"

    def _fulfillment_with(self, order_id: str, numbers: set[str]) -> dict[str, Any] | None:
        """The order's fulfillment (not cancelled or failed) that carries one of ``numbers``, if any."""
        data = self.client.get_json(self._order_path(order_id, "fulfillments"), {"limit": 250}, operation=SHOP)
        found = data.get("fulfillments") if isinstance(data, dict) else None
        for fulfillment in found or []:
            if not isinstance(fulfillment, dict) or fulfillment.get("status") in NOT_DONE:
                continue
            carried = {str(n) for n in fulfillment.get("tracking_numbers") or [] if n}
            if fulfillment.get("tracking_number"):
                carried.add(str(fulfillment["tracking_number"]))
            if carried & numbers:
                return fulfillment
        return None

    def _lines_by_sku(self, order_id: str, shipment: Shipment) -> Shipment:
        """``shipment`` (one order) renumbered to the order's line item ids by SKU (a 945 without N9*LI)."""
        path = f"{self.base}/orders/{path_segment(order_id, 'order_ref')}.json"
        data = self.client.get_json(path, {"fields": "id,line_items"}, operation=SHOP)
        order = data.get("order") if isinstance(data, dict) else None
        items = order.get("line_items") if isinstance(order, dict) else None
        found = [item for item in items or [] if isinstance(item, dict)]
        return renumber_by_sku(shipment, [(str(item.get("id")), item.get("sku") or None) for item in found])

    def _open_fulfillment_order(self, order_id: str) -> dict[str, Any]:
        data = self.client.get_json(self._order_path(order_id, "fulfillment_orders"), operation=SHOP)
        orders = data.get("fulfillment_orders") if isinstance(data, dict) else None
        open_orders = [fo for fo in orders or [] if isinstance(fo, dict) and fo.get("status") in FULFILLABLE]
        if not open_orders:
            raise MappingError(f"Shopify order {order_id} has no open fulfillment order", key=order_id)
        return open_orders[0]

    def set_inventory_level(
        self, level: InventoryLevel, *, inventory_item_id: int | str, location_id: int | str
    ) -> Any:
        body = mapping.inventory_level_payload(level, inventory_item_id=inventory_item_id, location_id=location_id)
        return self.client.send_json("POST", f"{self.base}/inventory_levels/set.json", body, operation=SHOP)


def tracking_numbers(shipment: Shipment) -> set[str]:
    """Every tracking number of the shipment: its own and its packages'."""
    numbers = {n for n in shipment.tracking_numbers if n}
    return numbers | {p.tracking_number for o in shipment.orders for p in o.packages if p.tracking_number}
