"""Amazon SP-API Orders v0 over the marketplace client: poll getOrders (LastUpdatedAfter watermark,
NextToken pages, items from getOrderItems) into a sink, so a later status change or cancellation is
seen as a new version of the order; confirm a shipment (confirmShipment per
package, safe to send again: see :meth:`AmazonAdapter.fulfill`)."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta
from typing import Any

from crossdock.bridges.rest.client import MarketplaceClient, path_segment
from crossdock.bridges.rest.lines import renumber_by_sku
from crossdock.bridges.rest.polling import OVERLAP, Checkpoint, PolledOrder, PollState, hand_page
from crossdock.bridges.rest.sink import RawSink
from crossdock.canonical.marketplaces import amazon as mapping
from crossdock.canonical.marketplaces.fields import FieldReader
from crossdock.canonical.shipment import Shipment
from crossdock.errors import MappingError, TransientError

log = logging.getLogger(__name__)
ORDERS = "/orders/v0/orders"
AUTH_HEADER = "x-amz-access-token"
"""SP-API's access token header (an LWA access token: static, or fetched by ``tokens.LwaToken``)."""


class AmazonAdapter:
    def __init__(
        self, client: MarketplaceClient, marketplace_id: str, *, page_size: int = 100, overlap: timedelta = OVERLAP
    ) -> None:
        self.client = client
        self.marketplace_id = marketplace_id
        self.page_size = page_size
        self.overlap = overlap

    def poll_orders(
        self, sink: RawSink, state: PollState, *, checkpoint: Checkpoint | None = None, max_pages: int = 1000
    ) -> PollState:
        """Hand every order updated (``LastUpdateDate``) at or after the watermark to ``sink`` as
        ``{"Order", "OrderItems"}`` JSON; ``checkpoint`` gets the state after each page. Resumes from
        ``state.cursor`` if set."""
        for _ in range(max_pages):
            params: dict[str, str | int] = {"MarketplaceIds": self.marketplace_id}
            if state.cursor:
                params["NextToken"] = state.cursor
            else:
                since = state.since(self.overlap).astimezone(UTC)
                params["LastUpdatedAfter"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
                params["MaxResultsPerPage"] = self.page_size
            payload = _payload(self.client.get_json(ORDERS, params, operation="getOrders"))
            orders = payload.get("Orders") or []
            page = [self._polled(order, i) for i, order in enumerate(orders)]
            next_token = payload.get("NextToken") or None
            state, handed = hand_page(sink, "amazon", state, page, next_token, overlap=self.overlap)
            log.info("amazon: page of %d orders, %d new; more=%s", len(page), handed, bool(next_token))
            if checkpoint is not None:
                checkpoint(state)
            if not next_token:
                return state
        raise TransientError(f"amazon: more than {max_pages} pages in one poll; resume from the checkpoint")

    def _polled(self, order: Any, index: int) -> PolledOrder:
        r = FieldReader()
        order = order if isinstance(order, dict) else {}
        order_id = r.text(order, f"Orders[{index}]", "AmazonOrderId", required=True)
        created = r.timestamp(order, f"Orders[{index}]", "PurchaseDate", required=True)
        updated = r.timestamp(order, f"Orders[{index}]", "LastUpdateDate") or created
        r.raise_if_any("Amazon getOrders page")
        assert order_id is not None and updated is not None
        return PolledOrder(order_id, updated, {"Order": order, "OrderItems": self.order_items(order_id)})

    def order_items(self, order_id: str) -> list[Any]:
        items: list[Any] = []
        params: dict[str, str | int] = {}
        for _ in range(100):
            path = f"{ORDERS}/{path_segment(order_id, 'AmazonOrderId')}/orderItems"
            payload = _payload(self.client.get_json(path, params, operation="getOrderItems"))
            items += payload.get("OrderItems") or []
            if not payload.get("NextToken"):
                return items
            params = {"NextToken": payload["NextToken"]}
        raise TransientError(f"amazon: order {order_id} has more than 100 pages of items")

    def close(self) -> None:
        self.client.close()

    def fulfill(self, shipment: Shipment) -> list[dict[str, Any]]:
        """Confirm each order of ``shipment`` (``order_ref``, else ``po_number``, is the AmazonOrderId):
        one confirmShipment per package. Lines whose number is no OrderItemId of the order (a 945
        without N9*LI) are matched by SellerSKU. Safe to call again: each package carries a
        packageReferenceId derived from the order and its tracking number, which Amazon takes as an
        edit of the package it already has, not a second package. Returns one entry per package, its
        ``id`` ``<AmazonOrderId>:<packageReferenceId>``."""
        done: list[dict[str, Any]] = []
        for index, order in enumerate(shipment.orders):
            order_id = order.order_ref or order.po_number
            if not order_id:
                raise MappingError("cannot confirm on Amazon", [(f"orders[{index}].order_ref", "is required")])
            one = shipment.model_copy(update={"orders": [order]})
            items = [item for item in self.order_items(order_id) if isinstance(item, dict)]
            pairs = [(str(item.get("OrderItemId")), item.get("SellerSKU") or None) for item in items]
            one = renumber_by_sku(one, pairs)
            for call in mapping.shipment_confirmations(one, marketplace_id=self.marketplace_id):
                path = f"{ORDERS}/{path_segment(call.order_id, 'AmazonOrderId')}/shipmentConfirmation"
                self.client.send_json("POST", path, call.body, operation="confirmShipment")
                package = call.body["packageDetail"]
                done.append({"id": f"{call.order_id}:{package['packageReferenceId']}",
                             "tracking_number": package["trackingNumber"]})  # fmt: skip
        return done

    def confirm_shipment(self, shipment: Shipment) -> int:
        """Send one confirmShipment per order and package; returns how many were sent."""
        calls = mapping.shipment_confirmations(shipment, marketplace_id=self.marketplace_id)
        for call in calls:
            path = f"{ORDERS}/{path_segment(call.order_id, 'AmazonOrderId')}/shipmentConfirmation"
            self.client.send_json("POST", path, call.body, operation="confirmShipment")
        return len(calls)


def _payload(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
        raise MappingError("Amazon response has no payload object", [("payload", "is required")])
    payload: dict[str, Any] = data["payload"]
    return payload
