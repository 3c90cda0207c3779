"""Walmart Marketplace v3 over the marketplace client: poll orders (lastModifiedStartDate watermark,
``meta.nextCursor`` pages) into a sink, so a later cancellation is seen as a new version of the order;
acknowledge an order; ship order lines; update inventory."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from crossdock.bridges.rest.boundary import MarketplaceRejectedError
from crossdock.bridges.rest.client import MarketplaceClient, decode_json, path_segment
from crossdock.bridges.rest.lines import renumber_by_sku
from crossdock.bridges.rest.polling import OVERLAP, Checkpoint, PolledOrder, PollState, hand_page
from crossdock.bridges.rest.sink import RawSink
from crossdock.canonical.inventory import InventoryLevel
from crossdock.canonical.marketplaces import walmart as mapping
from crossdock.canonical.shipment import Shipment
from crossdock.errors import MappingError, TransientError

log = logging.getLogger(__name__)
AUTH_HEADER = "WM_SEC.ACCESS_TOKEN"
"""Walmart's access token header (static, or fetched from client credentials by ``tokens.WalmartToken``)."""


class WalmartAdapter:
    def __init__(
        self, client: MarketplaceClient, *, page_size: int = 100, service_name: str = "crossdock",
        overlap: timedelta = OVERLAP,
    ) -> None:  # fmt: skip
        self.client = client
        self.page_size = page_size
        self.service_name = service_name
        self.overlap = overlap

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
        """Hand each order modified at or after the watermark to ``sink`` (its time: the latest line
        ``statusDate``, else its ``orderDate``); checkpoint after each page."""
        for _ in range(max_pages):
            if state.cursor:
                params: dict[str, str | int] = dict(parse_qsl(state.cursor.lstrip("?")))
            else:
                params = {
                    "lastModifiedStartDate": f"{state.since(self.overlap).astimezone(UTC):%Y-%m-%dT%H:%M:%S}.000Z",
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
            state, handed = hand_page(sink, "walmart", state, page, next_cursor, overlap=self.overlap)
            log.info("walmart: page of %d orders, %d new; more=%s", len(page), handed, bool(next_cursor))
            if checkpoint is not None:
                checkpoint(state)
            if not next_cursor:
                return state
        raise TransientError(f"walmart: more than {max_pages} pages in one poll; resume from the checkpoint")

    def acknowledge(self, purchase_order_id: str) -> dict[str, Any]:
        """``POST /v3/orders/{purchaseOrderId}/acknowledge``: tell Walmart the order will be fulfilled
        (it asks for this within four hours of the order). Safe to call again: when Walmart refuses
        (an order already acknowledged, or further along), the order is read, and if no line is still
        ``Created`` the acknowledgment stands and the order is returned as it is; otherwise the
        refusal is raised. A 5xx or timeout on the POST is not retried by the client (it may have taken
        effect); the step's retry comes back here and finds out."""
        path = f"/v3/orders/{path_segment(purchase_order_id, 'purchaseOrderId')}/acknowledge"
        try:
            response = self.client.request("POST", path, headers=self._headers(), operation="acknowledgeOrders")
        except MarketplaceRejectedError as exc:
            if exc.status == 404:
                raise
            order = self.order(purchase_order_id)
            if any(status == "Created" for status in _statuses(order)):
                raise
            log.info("walmart: order %s was already acknowledged", purchase_order_id)
            return order
        data = decode_json("walmart", path, response)
        order = data.get("order") if isinstance(data, dict) else None
        return order if isinstance(order, dict) else {"purchaseOrderId": purchase_order_id}

    def ship(self, shipment: Shipment) -> int:
        """POST one shipping update per purchase order; returns how many were sent."""
        updates = mapping.shipping_updates(shipment)
        for update in updates:
            path = f"/v3/orders/{path_segment(update.purchase_order_id, 'purchaseOrderId')}/shipping"
            self.client.request(
                "POST", path, json_body=update.body, headers=self._headers(), operation="shippingUpdates"
            )
        return len(updates)

    def close(self) -> None:
        self.client.close()

    def order(self, purchase_order_id: str) -> dict[str, Any]:
        """``GET /v3/orders/{purchaseOrderId}``: the order with its lines' current statuses."""
        path = f"/v3/orders/{path_segment(purchase_order_id, 'purchaseOrderId')}"
        response = self.client.request("GET", path, headers=self._headers(), operation="getAnOrder")
        data = decode_json("walmart", path, response)
        order = data.get("order") if isinstance(data, dict) else None
        if not isinstance(order, dict):
            raise MappingError("Walmart order response has no order object", [("order", "is required")])
        return order

    def fulfill(self, shipment: Shipment) -> list[dict[str, Any]]:
        """Ship each order of ``shipment`` on Walmart (``po_number``, else ``order_ref``, is the
        purchaseOrderId): one shipping update with the lines not yet shipped under this tracking number.
        Lines whose number is no lineNumber of the order (a 945 without N9*LI) are matched by SKU. Safe
        to call again: it reads the order first and leaves out every line already Shipped with the
        package's tracking number, sending nothing when all are. Returns one entry per order and
        tracking number, its ``id`` ``<purchaseOrderId>:<tracking number>``."""
        done: list[dict[str, Any]] = []
        for index, shipped in enumerate(shipment.orders):
            po_id = shipped.po_number or shipped.order_ref
            if not po_id:
                raise MappingError("cannot ship on Walmart", [(f"orders[{index}].po_number", "is required")])
            order = self.order(po_id)
            lines = [line for line in (order.get("orderLines") or {}).get("orderLine") or [] if isinstance(line, dict)]
            one = shipment.model_copy(update={"orders": [shipped.model_copy(update={"po_number": po_id})]})
            one = renumber_by_sku(one, [(str(line.get("lineNumber")), _sku(line)) for line in lines])
            already = {(str(line.get("lineNumber")), tracking) for line in lines for tracking in _shipped_with(line)}
            for update in mapping.shipping_updates(one):
                sent = update.body["orderShipment"]["orderLines"]["orderLine"]
                todo = [line for line in sent if (line["lineNumber"], _tracking(line)) not in already]
                trackings = sorted({_tracking(line) for line in sent})
                if todo:
                    body = {"orderShipment": {"orderLines": {"orderLine": todo}}}
                    path = f"/v3/orders/{path_segment(update.purchase_order_id, 'purchaseOrderId')}/shipping"
                    self.client.request("POST", path, json_body=body, headers=self._headers(),
                                        operation="shippingUpdates")  # fmt: skip
                done += [{"id": f"{update.purchase_order_id}:{t}", "tracking_number": t} for t in trackings]
        return done

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
    lines = (order.get("orderLines") or {}).get("orderLine") if isinstance(order.get("orderLines"), dict) else None
    changed = [line["statusDate"] for line in lines or [] if isinstance(line, dict) and isinstance(
        line.get("statusDate"), int) and not isinstance(line.get("statusDate"), bool)]  # fmt: skip
    updated = datetime.fromtimestamp(max([order["orderDate"], *changed]) / 1000, tz=UTC)
    return PolledOrder(str(order["purchaseOrderId"]), updated, order)


def _statuses(order: dict[str, Any]) -> list[str]:
    """Every order line status of ``order`` (``Created``, ``Acknowledged``, ``Shipped``, ``Cancelled``)."""
    lines = (order.get("orderLines") or {}).get("orderLine") or []
    return [
        str(status.get("status"))
        for line in lines if isinstance(line, dict)
        for status in (line.get("orderLineStatuses") or {}).get("orderLineStatus") or [] if isinstance(status, dict)
    ]  # fmt: skip


def _sku(line: dict[str, Any]) -> str | None:
    item = line.get("item")
    sku = item.get("sku") if isinstance(item, dict) else None
    return str(sku) if sku else None


def _tracking(line: dict[str, Any]) -> str:
    return str(line["orderLineStatuses"]["orderLineStatus"][0]["trackingInfo"]["trackingNumber"])


def _shipped_with(line: dict[str, Any]) -> list[str]:
    """The tracking numbers an order line is already Shipped under."""
    statuses = (line.get("orderLineStatuses") or {}).get("orderLineStatus") or []
    found = []
    for status in statuses:
        if isinstance(status, dict) and status.get("status") == "Shipped":
            info = status.get("trackingInfo")
            if isinstance(info, dict) and info.get("trackingNumber"):
                found.append(str(info["trackingNumber"]))
    return found
