"""Shopify Admin REST over the marketplace client: create fulfillments (fulfillment orders API) and set
inventory levels. Orders arrive by webhook (see ``receiver``)."""

from __future__ import annotations

from typing import Any

from crossdock.bridges.rest.client import MarketplaceClient, path_segment
from crossdock.canonical.inventory import InventoryLevel
from crossdock.canonical.marketplaces import shopify as mapping
from crossdock.canonical.shipment import Shipment
from crossdock.errors import MappingError

API_VERSION = "2024-01"
SHOP = "shop"
"""Shopify's REST limit is one leaky bucket per shop and app, so every call shares one pacer."""


class ShopifyAdapter:
    def __init__(self, client: MarketplaceClient, *, api_version: str = API_VERSION) -> None:
        self.client = client
        self.base = f"/admin/api/{api_version}"

    def fulfill(self, shipment: Shipment, *, notify_customer: bool = False) -> list[Any]:
        """Create one fulfillment per order of the shipment (``order_ref`` is the Shopify order id),
        looking up the order's open fulfillment order and its line item ids first."""
        created = []
        for index, order in enumerate(shipment.orders):
            order_id = order.order_ref or order.po_number
            if not order_id:
                raise MappingError("cannot fulfil on Shopify", [(f"orders[{index}].order_ref", "is required")])
            fo = self._open_fulfillment_order(order_id)
            line_ids = {str(line["line_item_id"]): line["id"] for line in fo.get("line_items", [])}
            one = shipment.model_copy(update={"orders": [order]})
            body = mapping.fulfillment_payload(
                one, fulfillment_order_id=fo["id"], fulfillment_line_ids=line_ids, notify_customer=notify_customer
            )
            created.append(self.client.send_json("POST", f"{self.base}/fulfillments.json", body, operation=SHOP))
        return created

    def _open_fulfillment_order(self, order_id: str) -> dict[str, Any]:
        path = f"{self.base}/orders/{path_segment(order_id, 'order_ref')}/fulfillment_orders.json"
        data = self.client.get_json(path, operation=SHOP)
        orders = data.get("fulfillment_orders") if isinstance(data, dict) else None
        open_orders = [fo for fo in orders or [] if isinstance(fo, dict) and fo.get("status") == "open"]
        if not open_orders:
            raise MappingError(f"Shopify order {order_id} has no open fulfillment order", key=order_id)
        return open_orders[0]

    def set_inventory_level(
        self, level: InventoryLevel, *, inventory_item_id: int | str, location_id: int | str
    ) -> Any:
        body = mapping.inventory_level_payload(level, inventory_item_id=inventory_item_id, location_id=location_id)
        return self.client.send_json("POST", f"{self.base}/inventory_levels/set.json", body, operation=SHOP)
