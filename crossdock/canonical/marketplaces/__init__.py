"""Marketplace JSON (Shopify, Amazon SP-API, Walmart) to and from canonical documents. Pure: no IO.

Each channel module exposes its inbound mapping (``order_to_canonical`` / ``document_to_canonical``)
and its outbound renderers (fulfillment, shipment confirmation, shipping update, inventory)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from crossdock.canonical.marketplaces import amazon, shopify, walmart
from crossdock.canonical.order import Channel, Order
from crossdock.errors import MappingError

ORDER_MAPPINGS: dict[Channel, Callable[[Any], Order]] = {
    Channel.SHOPIFY: shopify.order_to_canonical,
    Channel.AMAZON: amazon.document_to_canonical,
    Channel.WALMART: walmart.order_to_canonical,
}


def order_to_canonical(channel: Channel | str, document: Any, *, topic: str | None = None) -> Order:
    """Map one marketplace order document (parsed JSON) of ``channel`` to a canonical Order. ``topic``:
    the Shopify webhook topic it came with (``orders/create`` when not given; see
    :data:`shopify.ORDER_TOPICS`); the polled channels take none.

    Raises :class:`crossdock.errors.MappingError` listing every field it cannot map."""
    try:
        mapping = ORDER_MAPPINGS[Channel(channel)]
    except (KeyError, ValueError):
        known = ", ".join(c.value for c in ORDER_MAPPINGS)
        raise ValueError(f"no order mapping for channel {channel!r}; known: {known}") from None
    try:
        if topic is not None and Channel(channel) is Channel.SHOPIFY:
            return shopify.order_to_canonical(document, topic=topic)
        return mapping(document)
    except ValidationError as exc:  # a part built outside ``fields.build`` (totals, a line) did not fit
        errors = [(".".join(map(str, (exc.title, *e["loc"]))), e["msg"]) for e in exc.errors(include_input=False)]
        raise MappingError(f"cannot map {Channel(channel).value} order: a value does not fit the canonical order",
                           errors) from exc  # fmt: skip


__all__ = ["ORDER_MAPPINGS", "amazon", "order_to_canonical", "shopify", "walmart"]
