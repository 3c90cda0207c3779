"""How a canonical document looks to the ERP: our SKUs as ERP item numbers, and the ERP's own keys
(customer, location, sales order number) as references the ERP contract mapping reads
(``references.erp_customer_no``, ``references.erp_location_code``, ``references.erp_order_no``).

Pure: the item map and the keys are passed in (master data from the flow configuration and the
cross-references), never looked up from here.
"""

from __future__ import annotations

from collections.abc import Mapping

from crossdock.canonical import Invoice, Order, Shipment
from crossdock.canonical.shipment import ShipmentLine

ERP_CUSTOMER = "erp_customer_no"
ERP_LOCATION = "erp_location_code"
ERP_ORDER = "erp_order_no"


def with_references(references: Mapping[str, str], extra: Mapping[str, str | None]) -> dict[str, str]:
    """``references`` plus the ``extra`` values that are set and not already there."""
    merged = dict(references)
    for key, value in extra.items():
        if value and key not in merged:
            merged[key] = value
    return merged


def order_for_erp(order: Order, item_map: Mapping[str, str]) -> Order:
    lines = [
        line.model_copy(update={"sku": item_map.get(line.sku, line.sku)}) if line.sku else line
        for line in order.lines
    ]
    return order.model_copy(update={"lines": lines})


def invoice_for_erp(invoice: Invoice, item_map: Mapping[str, str]) -> Invoice:
    """The invoice as the ERP posts it: our SKUs as ERP item numbers."""
    lines = [line.model_copy(update={"sku": item_map.get(line.sku, line.sku)}) if line.sku else line
             for line in invoice.lines]  # fmt: skip
    return invoice.model_copy(update={"lines": lines})


def shipment_for_erp(
    shipment: Shipment,
    item_map: Mapping[str, str],
    *,
    erp_order_no: str,
    location: str | None,
    line_numbers: bool = True,
) -> Shipment:
    """The shipment as the ERP posts it. ``line_numbers=False`` leaves the lines' numbers out, for an
    order whose line numbers are not the ERP's (a marketplace's line item ids, 51000000010 ...: the ERP
    numbers the lines of the order it booked by position, and takes a shipped line by its item when the
    number is absent)."""
    orders = []
    for shipment_order in shipment.orders:
        lines = [_mapped(line, item_map) for line in shipment_order.all_lines]
        if not line_numbers:
            lines = [line.model_copy(update={"line_number": None}) for line in lines]
        orders.append(shipment_order.model_copy(update={"lines": lines, "packages": []}))
    references = {**with_references(shipment.references, {ERP_LOCATION: location}), ERP_ORDER: erp_order_no}
    return shipment.model_copy(update={"orders": orders, "references": references})


def _mapped(line: ShipmentLine, item_map: Mapping[str, str]) -> ShipmentLine:
    return line.model_copy(update={"sku": item_map.get(line.sku, line.sku)}) if line.sku else line
