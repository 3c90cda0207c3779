"""Product/service ID qualifier pairs (PO106/PO107.., LIN02/LIN03.., W01, W12) ⇄ item identifiers.

Retail sets (850, 856): UP/UK/EN/UA → GTIN (IB, an ISBN-10, → its GTIN-13), IN/BP/CB/PI → buyer part,
VN/VA/VP/VC/MG → vendor part, SK → SKU. Warehouse sets (940, 945): the depositor's item number is our
SKU, so VN/VC/SK → SKU and VA/VP/MG → vendor part.
"""

from __future__ import annotations

from collections.abc import Iterable

from crossdock.canonical import gs1_check_digit
from crossdock.edi.segment import Segment
from crossdock.edi.sets.mapping import SetContext

GTIN_QUALIFIERS = ("UP", "UK", "EN", "UA")
BUYER_QUALIFIERS = ("IN", "BP", "CB", "PI")
RETAIL = {
    **dict.fromkeys(GTIN_QUALIFIERS, "gtin"),
    **dict.fromkeys(BUYER_QUALIFIERS, "buyer_part_number"),
    **dict.fromkeys(("VN", "VA", "VP", "VC", "MG"), "vendor_part_number"),
    "SK": "sku",
}
WAREHOUSE = {
    **dict.fromkeys(GTIN_QUALIFIERS, "gtin"),
    **dict.fromkeys(BUYER_QUALIFIERS, "buyer_part_number"),
    **dict.fromkeys(("VN", "VC", "SK"), "sku"),
    **dict.fromkeys(("VA", "VP", "MG"), "vendor_part_number"),
}


def is_gtin(value: str) -> bool:
    return value.isdigit() and len(value) in (8, 12, 13, 14)


def isbn_to_gtin(isbn: str) -> str | None:
    """ISBN-10 → its GTIN-13 (978 prefix, GS1 check digit); ``None`` when ``isbn`` is not an ISBN-10."""
    digits = isbn.replace("-", "")
    if len(digits) != 10 or not digits[:9].isdigit():
        return None
    body = "978" + digits[:9]
    return body + str(gs1_check_digit(body))


def gtin_qualifier(gtin: str) -> str:
    return {12: "UP", 14: "UK"}.get(len(gtin), "EN")


def read_ids(
    ctx: SetContext,
    seg: Segment,
    pairs: Iterable[tuple[int, int]],
    table: dict[str, str],
    *,
    upc_position: int | None = None,
) -> dict[str, str]:
    """Item identifiers from the qualifier/value ``pairs`` (and a bare UPC element) of ``seg``; the
    first of each kind wins, the rest are warnings; the SKU comes from ``ctx.lookups.sku_map`` when absent."""
    found: dict[str, str] = {}
    elements = seg.elements
    size = len(elements)
    if upc_position is not None and upc_position < size and elements[upc_position]:
        _take(ctx, seg, found, table, "UP", elements[upc_position], upc_position)
    for q, v in pairs:
        if v < size and elements[v]:
            qualifier, value = elements[q], elements[v]
            kind = table.get(qualifier)
            if kind is None or kind in found or (kind == "gtin" and not is_gtin(value)):
                _take(ctx, seg, found, table, qualifier, value, v)  # the unusual cases, with their warnings
            else:
                found[kind] = value
    if "sku" not in found and ctx.lookups.sku_map:
        for kind in ("gtin", "buyer_part_number", "vendor_part_number"):
            sku = ctx.lookups.sku_map.get(found.get(kind, ""))
            if sku:
                found["sku"] = sku
                break
    return found


def _take(
    ctx: SetContext,
    seg: Segment,
    found: dict[str, str],
    table: dict[str, str],
    qualifier: str,
    value: str,
    position: int,
) -> None:
    """Add one qualifier/value pair to ``found``, or warn why not; the first of each kind wins."""
    if qualifier == "IB" and isbn_to_gtin(value):
        ctx.warn(seg, f"ISBN {value!r} read as GTIN-13 {isbn_to_gtin(value)}", position)
        qualifier, value = "EN", isbn_to_gtin(value) or value
    kind = table.get(qualifier)
    if kind is None:
        ctx.warn(seg, f"product id {qualifier}={value!r} not mapped (unknown qualifier)", position)
    elif kind == "gtin" and not is_gtin(value):
        ctx.warn(seg, f"{qualifier} {value!r} is not a GTIN-8/12/13/14: not mapped", position)
    elif kind in found:
        if found[kind] != value:
            ctx.warn(seg, f"second {kind} {qualifier}={value!r} not mapped", position)
    else:
        found[kind] = value
