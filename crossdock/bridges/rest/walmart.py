"""Walmart Marketplace v3 over the marketplace client: poll orders (createdStartDate watermark,
``meta.nextCursor`` pages) into a sink; ship order lines; update inventory."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from crossdock.bridges.rest.boundary import MarketplaceRejectedError
from crossdock.bridges.rest.client import MarketplaceClient, decode_json, path_segment
from crossdock.bridges.rest.polling import Checkpoint, PolledOrder, PollState, hand_page
from crossdock.bridges.rest.sink import RawSink
from crossdock.canonical.inventory import InventoryLevel
from crossdock.canonical.marketplaces import walmart as mapping
from crossdock.canonical.shipment import Shipment
from crossdock.errors import MappingError, TransientError

log = logging.getLogger(__name__)
AUTH_HEADER = "WM_SEC.ACCESS_TOKEN"
"""Walmart's access token header (crossdock takes it as a static token, not client credentials)."""


class WalmartAdapter:
    def __init__(self, client: MarketplaceClient, *, page_size: int = 100, service_name: str = "crossdock") -> None:
        self.client = client
        self.page_size = page_size
        self.service_name = service_name

    def _headers(self) -> dict[str, str]:
        return {
            "WM_QOS.CORRELATION_ID": uuid.uuid4().hex,
            "WM_SVC.NAME": self.service_name,
            "Accept": "application/json",
        }

    def _get(self, params: dict[str, str | int]) -> Any:
        response = self.client.request(
            "GET", "/v3/orders", params=params, headers=self._headers(), operation="getAllOrders"
        )
        return decode_json("walmart", "/v3/orders", response)

    def poll_orders(
        self, sink: RawSink, state: PollState, *, checkpoint: Checkpoint | None = None, max_pages: int = 1000
    ) -> PollState:
        """Hand each order created at or after the watermark to ``sink``; checkpoint after each page."""
        for _ in range(max_pages):
            if state.cursor:
                params: dict[str, str | int] = dict(parse_qsl(state.cursor.lstrip("?")))
            else:
                params = {
                    "createdStartDate": state.watermark.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "limit": self.page_size,
                }
            try:
                data = self._get(params)
            except MarketplaceRejectedError as exc:
                if exc.status == 404:  # Walmart answers 404 CONTENT_NOT_FOUND when no order matches
                    return state
                raise
            page_list = data.get("list") if isinstance(data, dict) else None
            if not isinstance(page_list, dict):
                raise MappingError("Walmart orders response has no list object", [("list", "is required")])
            orders = (page_list.get("elements") or {}).get("order") or []
            page = [_polled(order, i) for i, order in enumerate(orders)]
            next_cursor = (page_list.get("meta") or {}).get("nextCursor") or None
            state, handed = hand_page(sink, "walmart", state, page, next_cursor)
            log.info("walmart: page of %d orders, %d new; more=%s", len(page), handed, bool(next_cursor))
            if checkpoint is not None:
                checkpoint(state)
            if not next_cursor:
                return state
        raise TransientError(f"walmart: more than {max_pages} pages in one poll; resume from the checkpoint")

    def ship(self, shipment: Shipment) -> int:
        """POST one shipping update per purchase order; returns how many were sent."""
        updates = mapping.shipping_updates(shipment)
        for update in updates:
            path = f"/v3/orders/{path_segment(update.purchase_order_id, 'purchaseOrderId')}/shipping"
            self.client.request(
                "POST", path, json_body=update.body, headers=self._headers(), operation="shippingUpdates"
            )
        return len(updates)

    def update_inventory(self, level: InventoryLevel) -> None:
        body = mapping.inventory_payload(level)
        self.client.request(
            "PUT",
            "/v3/inventory",
            params={"sku": level.sku},
            json_body=body,
            headers=self._headers(),
            operation="updateInventory",
        )


def _polled(order: Any, index: int) -> PolledOrder:
    if not isinstance(order, dict) or not order.get("purchaseOrderId") or not isinstance(order.get("orderDate"), int):
        raise MappingError(
            "Walmart orders page",
            [(f"list.elements.order[{index}]", "needs purchaseOrderId and orderDate (epoch milliseconds)")],
        )
    created = datetime.fromtimestamp(order["orderDate"] / 1000, tz=UTC)
    return PolledOrder(str(order["purchaseOrderId"]), created, order)
