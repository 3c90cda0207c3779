"""Changes and cancellations the simulated marketplaces make to their orders after they were placed
(a buyer cancels, a seller cancels a line, an order edit): ``POST /_sim/orders/change``
``{"channel", "order_id", "cancel": true}`` or ``{"channel", "order_id", "lines": {"<line id>": qty}}``
(the line's new quantity; 0 cancels it). Each change stamps the order's last-update time as the
marketplace does (Shopify ``updated_at``, Amazon ``LastUpdateDate``, Walmart the line's
``statusDate``), so a poller reading by last-update time sees it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock.bridges.rest.sim.state import SimState

AMAZON_TIME = "%Y-%m-%dT%H:%M:%SZ"


class ChangeRefusedError(ValueError):
    """The change asked for does not fit the order (unknown line, more than ordered)."""


def now_millis() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def amazon_touch(order: dict[str, Any]) -> None:
    """Set ``LastUpdateDate`` to now, a second past the previous one at least (it has whole seconds)."""
    previous = datetime.fromisoformat(order["LastUpdateDate"].replace("Z", "+00:00"))
    order["LastUpdateDate"] = max(datetime.now(UTC), previous + timedelta(seconds=1)).strftime(AMAZON_TIME)


def walmart_modified(order: Mapping[str, Any]) -> int:
    """A Walmart order's last modification (epoch ms): its latest line ``statusDate``, else ``orderDate``."""
    dates = [line.get("statusDate") or 0 for line in order["orderLines"]["orderLine"]]
    return int(max([order["orderDate"], *dates]))


def change(state: SimState, channel: str, order_id: str, *, cancel: bool, lines: Mapping[str, int]) -> dict[str, Any]:
    """Apply one change to the order and return it as the marketplace now shows it."""
    if any(not isinstance(q, int) or isinstance(q, bool) or q < 0 for q in lines.values()):
        raise ChangeRefusedError("line quantities must be whole numbers, 0 or more")
    with state.lock:
        if channel == "shopify":
            order = next((o for o in state.shopify if str(o["id"]) == order_id), None)
            if order is not None:
                _shopify(order, cancel, lines)
        elif channel == "amazon":
            order = next((o for o in state.amazon if o["AmazonOrderId"] == order_id), None)
            if order is not None:
                _amazon(order, cancel, lines)
        elif channel == "walmart":
            order = next((o for o in state.walmart if o["purchaseOrderId"] == order_id), None)
            if order is not None:
                _walmart(order, cancel, lines)
        else:
            raise ChangeRefusedError(f"unknown channel {channel!r}")
        if order is None:
            raise ChangeRefusedError(f"{channel} has no order {order_id}")
        return order


def _check(known: Mapping[str, int], lines: Mapping[str, int]) -> None:
    for line_id, quantity in lines.items():
        if line_id not in known:
            raise ChangeRefusedError(f"the order has no line {line_id}")
        if quantity > known[line_id]:
            raise ChangeRefusedError(f"line {line_id}: {quantity} is more than the {known[line_id]} it has")


def _shopify(order: dict[str, Any], cancel: bool, lines: Mapping[str, int]) -> None:
    items = {str(item["id"]): item for item in order["line_items"]}
    _check({k: int(item.get("current_quantity", item["quantity"])) for k, item in items.items()}, lines)
    stamp = datetime.now(UTC).isoformat()
    for line_id, quantity in lines.items():
        items[line_id]["current_quantity"] = quantity
    if cancel:
        order["cancelled_at"] = stamp
    order["updated_at"] = stamp


def _amazon(order: dict[str, Any], cancel: bool, lines: Mapping[str, int]) -> None:
    items = {item["OrderItemId"]: item for item in order["OrderItems"]}
    _check({k: int(item["QuantityOrdered"]) for k, item in items.items()}, lines)
    for line_id, quantity in lines.items():
        items[line_id]["QuantityOrdered"] = quantity
    if cancel:
        order["OrderStatus"] = "Canceled"
    amazon_touch(order)


def _walmart(order: dict[str, Any], cancel: bool, lines: Mapping[str, int]) -> None:
    by_number = {line["lineNumber"]: line for line in order["orderLines"]["orderLine"]}
    left = {number: _open(line) for number, line in by_number.items()}
    _check(left, lines)
    cancelled = {number: left[number] for number in by_number} if cancel else {
        number: left[number] - quantity for number, quantity in lines.items()}  # fmt: skip
    stamp = max(now_millis(), walmart_modified(order) + 1)
    for number, quantity in cancelled.items():
        if quantity <= 0:
            continue
        line = by_number[number]
        line["orderLineStatuses"]["orderLineStatus"].append({
            "status": "Cancelled",
            "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(quantity)},
            "cancellationReason": "CUSTOMER_REQUESTED_SELLER_TO_CANCEL",
        })  # fmt: skip
        line["statusDate"] = stamp


def _open(line: Mapping[str, Any]) -> int:
    """What of a Walmart line is neither cancelled nor shipped."""
    done = sum(int(s["statusQuantity"]["amount"]) for s in line["orderLineStatuses"]["orderLineStatus"]
               if s.get("status") in ("Cancelled", "Shipped") and s.get("statusQuantity"))  # fmt: skip
    return int(line["orderLineQuantity"]["amount"]) - done
