"""Telling marketplaces how many units they may sell, and reading back what they show.

One class per channel, each with ``set_quantities({sku: units})`` (absolute quantities: sending the same
figure twice is harmless, so a retried push is idempotent) and ``read_quantities(skus)`` (for drift).
Every call goes through the channel's :class:`MarketplaceClient` (timeouts, pacing per operation, 429
retries with Retry-After). The APIs crossdock uses set one item per call (Shopify
``inventory_levels/set``, Walmart ``PUT /v3/inventory``, Amazon ``patchListingsItem``); the batching is
upstream, one push message per channel and burst of changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from crossdock.bridges.rest.client import MarketplaceClient, decode_json, path_segment
from crossdock.errors import MappingError

LISTINGS = "/listings/2021-08-01/items"


class InventoryChannel(Protocol):
    def set_quantities(self, quantities: Mapping[str, int]) -> int:
        """Set each SKU's sellable quantity; returns the number of API calls made."""
        ...

    def read_quantities(self, skus: Sequence[str]) -> dict[str, int | None]:
        """What the channel shows for each SKU (``None``: it has no figure for it; a SKU left out is not
        sold on this channel)."""
        ...

    def close(self) -> None: ...


class ShopifyInventory:
    """Shopify ``inventory_levels`` at one Shopify location; ``item_ids`` maps our SKU to its inventory
    item (a SKU without one is not sold on Shopify: never sent, left out of reads)."""

    def __init__(
        self, client: MarketplaceClient, *, api_version: str, location_id: int, item_ids: Mapping[str, int]
    ) -> None:
        self.client = client
        self.base = f"/admin/api/{api_version}"
        self.location_id = location_id
        self.item_ids = dict(item_ids)

    def set_quantities(self, quantities: Mapping[str, int]) -> int:
        """SKUs without an inventory item in ``item_ids`` are not Shopify's: they are left out."""
        calls = 0
        for sku, units in quantities.items():
            item = self.item_ids.get(sku)
            if item is None:
                continue
            body = {"location_id": self.location_id, "inventory_item_id": item, "available": units}
            self.client.send_json("POST", f"{self.base}/inventory_levels/set.json", body, operation="inventoryLevels")
            calls += 1
        return calls

    def read_quantities(self, skus: Sequence[str]) -> dict[str, int | None]:
        by_item = {self.item_ids[sku]: sku for sku in skus if sku in self.item_ids}
        out: dict[str, int | None] = dict.fromkeys(by_item.values())
        items = sorted(by_item)
        for start in range(0, len(items), 50):
            params = {"inventory_item_ids": ",".join(map(str, items[start : start + 50])),
                      "location_ids": str(self.location_id)}  # fmt: skip
            data = self.client.get_json(f"{self.base}/inventory_levels.json", params, operation="inventoryLevels")
            for level in _list(data, "inventory_levels"):
                sku = by_item.get(level.get("inventory_item_id"))
                if sku is not None and isinstance(level.get("available"), int):
                    out[sku] = level["available"]
        return out

    def close(self) -> None:
        self.client.close()


class WalmartInventory:
    def __init__(self, client: MarketplaceClient, *, service_name: str = "crossdock") -> None:
        self.client = client
        self.service_name = service_name

    def _headers(self) -> dict[str, str]:
        return {"WM_QOS.CORRELATION_ID": uuid.uuid4().hex, "WM_SVC.NAME": self.service_name,
                "Accept": "application/json"}  # fmt: skip

    def set_quantities(self, quantities: Mapping[str, int]) -> int:
        for sku, units in quantities.items():
            body = {"sku": sku, "quantity": {"unit": "EACH", "amount": units}}
            self.client.request("PUT", "/v3/inventory", params={"sku": sku}, json_body=body,
                                headers=self._headers(), operation="updateInventory")  # fmt: skip
        return len(quantities)

    def read_quantities(self, skus: Sequence[str]) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for sku in skus:
            response = self.client.request("GET", "/v3/inventory", params={"sku": sku}, headers=self._headers(),
                                           operation="getInventory")  # fmt: skip
            data = decode_json("walmart", "/v3/inventory", response)
            amount = data.get("quantity", {}).get("amount") if isinstance(data, dict) else None
            out[sku] = amount if isinstance(amount, int) else None
        return out

    def close(self) -> None:
        self.client.close()


class AmazonInventory:
    """SP-API Listings Items: ``fulfillment_availability`` (merchant-fulfilled quantity) per SKU."""

    def __init__(self, client: MarketplaceClient, *, seller_id: str, marketplace_id: str) -> None:
        self.client = client
        self.seller_id = seller_id
        self.marketplace_id = marketplace_id

    def _path(self, sku: str) -> str:
        return f"{LISTINGS}/{path_segment(self.seller_id, 'sellerId')}/{path_segment(sku, 'sku')}"

    def set_quantities(self, quantities: Mapping[str, int]) -> int:
        for sku, units in quantities.items():
            body = {
                "productType": "PRODUCT",
                "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": units}]}],
            }  # fmt: skip
            self.client.send_json("PATCH", self._path(sku), body, {"marketplaceIds": self.marketplace_id},
                                  operation="patchListingsItem")  # fmt: skip
        return len(quantities)

    def read_quantities(self, skus: Sequence[str]) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for sku in skus:
            params = {"marketplaceIds": self.marketplace_id, "includedData": "fulfillmentAvailability"}
            data = self.client.get_json(self._path(sku), params, operation="getListingsItem")
            found = [a.get("quantity") for a in _list(data, "fulfillmentAvailability")]
            out[sku] = found[0] if found and isinstance(found[0], int) else None
        return out

    def close(self) -> None:
        self.client.close()


def _list(data: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        raise MappingError(f"marketplace response is not an object (expected {key})", [(key, "is required")])
    items = data.get(key) or []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
