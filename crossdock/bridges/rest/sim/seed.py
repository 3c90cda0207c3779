"""Deterministic, realistic seed orders for the simulator, shaped like each marketplace's API returns them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

START = datetime(2024, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=10)
CATALOG = [
    ("WIDGET-RED", "Red widget", "12.50"),
    ("WIDGET-BLUE", "Blue widget", "12.50"),
    ("GADGET-XL", "Gadget, extra large", "49.99"),
    ("MUG-11OZ", "Ceramic mug 11oz", "8.00"),
    ("TEE-M-BLK", "T-shirt M black", "19.00"),
]
NAMES = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Edsger", "Dijkstra")]


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _lines(rng: random.Random) -> list[tuple[str, str, str, int]]:
    picks = rng.sample(CATALOG, rng.randint(1, 3))
    return [(sku, title, price, rng.randint(1, 3)) for sku, title, price in picks]


def shopify_orders(count: int, *, seed: int = 7, first_id: int = 5_100_000_001) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - deterministic sample data, not secrets
    orders = []
    for n in range(count):
        first, last = rng.choice(NAMES)
        created = START + STEP * n
        items = []
        subtotal = 0.0
        for i, (sku, title, price, qty) in enumerate(_lines(rng)):
            items.append(
                {
                    "id": (first_id + n) * 10 + i,
                    "variant_id": 40_000_000 + i,
                    "sku": sku,
                    "title": title,
                    "quantity": qty,
                    "price": price,
                    "total_discount": "0.00",
                    "discount_allocations": [],
                    "tax_lines": [{"title": "State Tax", "price": f"{float(price) * qty * 0.06:.2f}", "rate": 0.06}],
                }
            )
            subtotal += float(price) * qty
        tax = round(subtotal * 0.06, 2)
        address = {
            "first_name": first,
            "last_name": last,
            "name": f"{first} {last}",
            "address1": f"{100 + n} Main Street",
            "city": "Louisville",
            "province_code": "KY",
            "zip": "40202",
            "country_code": "US",
        }
        orders.append(
            {
                "id": first_id + n,
                "name": f"#{1001 + n}",
                "order_number": 1001 + n,
                "email": f"{first.lower()}@customer.example",
                "created_at": created.isoformat(),
                "currency": "USD",
                "financial_status": "paid",
                "cancelled_at": None,
                "subtotal_price": f"{subtotal:.2f}",
                "total_discounts": "0.00",
                "total_tax": f"{tax:.2f}",
                "total_price": f"{subtotal + tax + 5:.2f}",
                "customer": {"id": 9_000 + n, "first_name": first, "last_name": last},
                "shipping_address": address,
                "billing_address": address,
                "line_items": items,
                "shipping_lines": [{"title": "Standard", "code": "STANDARD", "price": "5.00", "tax_lines": []}],
            }
        )
    return orders


def amazon_orders(count: int, *, seed: int = 11) -> list[dict[str, Any]]:
    """Orders with their items under ``OrderItems`` (the sim serves them from separate endpoints)."""
    rng = random.Random(seed)  # noqa: S311 - deterministic sample data, not secrets
    orders = []
    for n in range(count):
        first, last = rng.choice(NAMES)
        created = START + STEP * n
        items = []
        total = 0.0
        for i, (sku, title, price, qty) in enumerate(_lines(rng)):
            amount = float(price) * qty
            total += amount
            items.append(
                {
                    "ASIN": f"B0{n:04d}{i:04d}",
                    "OrderItemId": f"{n:07d}{i:07d}",
                    "SellerSKU": sku,
                    "Title": title,
                    "QuantityOrdered": qty,
                    "QuantityShipped": 0,
                    "ItemPrice": {"CurrencyCode": "USD", "Amount": f"{amount:.2f}"},
                    "ItemTax": {"CurrencyCode": "USD", "Amount": f"{amount * 0.08:.2f}"},
                }
            )
        orders.append(
            {
                "AmazonOrderId": f"113-{n:07d}-{rng.randint(1_000_000, 9_999_999)}",
                "PurchaseDate": _iso(created),
                "LastUpdateDate": _iso(created),
                "OrderStatus": "Unshipped",
                "FulfillmentChannel": "MFN",
                "SalesChannel": "Amazon.com",
                "ShipmentServiceLevelCategory": "Standard",
                "OrderType": "StandardOrder",
                "MarketplaceId": "ATVPDKIKX0DER",
                "OrderTotal": {"CurrencyCode": "USD", "Amount": f"{total:.2f}"},
                "LatestShipDate": _iso(created + timedelta(days=2)),
                "ShippingAddress": {
                    "Name": f"{first} {last}",
                    "AddressLine1": f"{200 + n} Pine Street",
                    "City": "Seattle",
                    "StateOrRegion": "WA",
                    "PostalCode": "98101",
                    "CountryCode": "US",
                },
                "BuyerInfo": {"BuyerEmail": f"{first.lower()}@marketplace.amazon.example"},
                "OrderItems": items,
            }
        )
    return orders


def walmart_orders(count: int, *, seed: int = 13) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - deterministic sample data, not secrets
    orders = []
    for n in range(count):
        first, last = rng.choice(NAMES)
        created = START + STEP * n
        lines = []
        for i, (sku, title, price, qty) in enumerate(_lines(rng)):
            amount = round(float(price) * qty, 2)
            lines.append(
                {
                    "lineNumber": str(i + 1),
                    "item": {"productName": title, "sku": sku},
                    "charges": {
                        "charge": [
                            {
                                "chargeType": "PRODUCT",
                                "chargeName": "ItemPrice",
                                "chargeAmount": {"currency": "USD", "amount": amount},
                                "tax": {
                                    "taxName": "Tax1",
                                    "taxAmount": {"currency": "USD", "amount": round(amount * 0.07, 2)},
                                },
                            }
                        ]
                    },
                    "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": str(qty)},
                    "orderLineStatuses": {
                        "orderLineStatus": [
                            {"status": "Created", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(qty)}}
                        ]
                    },
                }
            )
        orders.append(
            {
                "purchaseOrderId": f"{1_800_000_000_000 + n}",
                "customerOrderId": f"{5_200_000_000_000 + n}",
                "customerEmailId": f"{rng.getrandbits(64):016X}@relay.walmart.com",
                "orderDate": int(created.timestamp() * 1000),
                "shippingInfo": {
                    "phone": "3155550100",
                    "estimatedDeliveryDate": int((created + timedelta(days=5)).timestamp() * 1000),
                    "estimatedShipDate": int((created + timedelta(days=1)).timestamp() * 1000),
                    "methodCode": "Standard",
                    "postalAddress": {
                        "name": f"{first} {last}",
                        "address1": f"{300 + n} Oak Road",
                        "city": "Bentonville",
                        "state": "AR",
                        "postalCode": "72712",
                        "country": "USA",
                        "addressType": "RESIDENTIAL",
                    },
                },
                "orderLines": {"orderLine": lines},
            }
        )
    return orders


def walmart_returns(orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A return order for the first line of every fifth Walmart order."""
    returns = []
    for n, order in enumerate(orders[::5]):
        line = order["orderLines"]["orderLine"][0]
        quantity = int(line["orderLineQuantity"]["amount"])
        amount = Decimal(str(line["charges"]["charge"][0]["chargeAmount"]["amount"]))
        created = datetime.fromtimestamp(order["orderDate"] / 1000, tz=UTC) + timedelta(days=7)
        returns.append({
            "returnOrderId": f"{77_300 + n}",
            "customerOrderId": order["customerOrderId"],
            "returnOrderDate": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "totalRefundAmount": {"currencyAmount": float(amount), "currencyUnit": "USD"},
            "returnOrderLines": [{
                "returnOrderLineNumber": 1,
                "returnReason": "SIZE_TOO_SMALL",
                "purchaseOrderId": order["purchaseOrderId"],
                "purchaseOrderLineNumber": int(line["lineNumber"]),
                "item": {"sku": line["item"]["sku"], "productName": line["item"]["productName"]},
                "unitPrice": {"currencyAmount": float(amount / quantity), "currencyUnit": "USD"},
                "quantity": {"unitOfMeasure": "EACH", "measurementValue": quantity},
                "status": "INITIATED",
                "currentRefundStatus": "REFUND_PENDING",
            }],
        })  # fmt: skip
    return returns
