"""Marketplace return requests and refunds to ``return_event`` documents, whichever channel sent them.
Pure. The marketplace step (``marketplace.inbound``) asks :func:`return_events` first: ``None`` means
the document is no return or refund (an order), a list (maybe empty) the events it holds."""

from __future__ import annotations

from typing import Any

from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.marketplaces import shopify_returns, walmart_returns
from crossdock.canonical.order import Channel


def return_events(channel: Channel | str, document: Any) -> list[ReturnEventDocument] | None:
    """The return events of one marketplace document, or ``None`` when it is no return or refund.

    Raises :class:`crossdock.errors.MappingError` listing every field it cannot map."""
    known = Channel(channel) if channel in set(Channel) else None
    if known is Channel.SHOPIFY and shopify_returns.is_refund(document):
        return shopify_returns.refund_to_events(document)
    if known is Channel.SHOPIFY and shopify_returns.is_return(document):
        return shopify_returns.return_to_events(document)
    if known is Channel.WALMART and walmart_returns.is_return_order(document):
        return walmart_returns.return_order_to_events(document)
    return None
