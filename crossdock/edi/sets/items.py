"""Product/service ID qualifier pairs (PO106/PO107.., LIN02/LIN03.., W01, W12) ⇄ item identifiers.

Retail sets (850, 856): UP/UK/EN/UA → GTIN (IB, an ISBN-10, → its GTIN-13), IN/BP/CB/PI → buyer part,
VN/VA/VP/VC/MG → vendor part, SK → SKU. Warehouse sets (940, 945): the depositor's item number is our
SKU, so VN/VC/SK → SKU and VA/VP/MG → vendor part.
"""

from __future__ import annotations

from collections.abc import Sequence

from crossdock.canonical import gs1_check_digit, has_valid_check_digit
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


GTIN_SIZES = frozenset({8, 12, 13, 14})


def is_gtin(value: str) -> bool:
    return value.isdigit() and len(value) in GTIN_SIZES


def isbn_to_gtin(isbn: str) -> str | None:
    """ISBN-10 → its GTIN-13 (978 prefix, GS1 check digit); ``None`` when ``isbn`` is not an ISBN-10."""
    digits = isbn.replace("-", "")
    if len(digits) != 10 or not digits[:9].isdigit():
        return None
    body = "978" + digits[:9]
    return body + str(gs1_check_digit(body))


GTIN_LENGTHS = {"UP": 12, "UA": 12, "EN": 13, "UK": 14}
MAX_ZEROS_RESTORED = 3


def restore_leading_zeros(qualifier: str, value: str) -> str | None:
    """A GTIN that lost up to three leading zeros (a spreadsheet read the UPC as a number), when the
    zero-padded value's GS1 check digit fits; ``None`` otherwise."""
    width = GTIN_LENGTHS.get(qualifier)
    if width is None or not value.isdigit() or not width - MAX_ZEROS_RESTORED <= len(value) < width:
        return None
    padded = value.zfill(width)
    return padded if has_valid_check_digit(padded) else None


def gtin_qualifier(gtin: str) -> str:
    return {12: "UP", 14: "UK"}.get(len(gtin), "EN")


def read_ids(
    ctx: SetContext,
    seg: Segment,
    pairs: Sequence[tuple[int, int]],
    table: dict[str, str],
    *,
    upc_position: int | None = None,
) -> dict[str, str]:
    """Item identifiers from the qualifier/value ``pairs`` (in ascending order; and a bare UPC element) of ``seg``; the
    first of each kind wins, the rest are warnings; the SKU comes from ``ctx.lookups.sku_map`` when absent
    (looked up by the GTIN, buyer or vendor part number, else by any id value of the segment, so a
    partner's malformed UPC can be mapped)."""
    found: dict[str, str] = {}
    elements = seg.elements
    size = len(elements)
    if upc_position is not None and upc_position < size and elements[upc_position]:
        _take(ctx, seg, found, table, "UP", elements[upc_position], upc_position)
    for q, v in pairs:
        if v >= size:
            break  # pairs are in ascending order: none after this one is in the segment
        if elements[v]:
            qualifier, value = elements[q], elements[v]
            kind = table.get(qualifier)
            if kind is None or kind in found or (kind == "gtin" and not (value.isdigit() and len(value) in GTIN_SIZES)):
                _take(ctx, seg, found, table, qualifier, value, v)  # the unusual cases, with their warnings
            else:
                found[kind] = value
    if "sku" not in found and ctx.lookups.sku_map:
        sku_map = ctx.lookups.sku_map
        for kind in ("gtin", "buyer_part_number", "vendor_part_number"):
            sku = sku_map.get(found.get(kind, ""))
            if sku:
                found["sku"] = sku
                break
        else:  # an id that could not be used as such (a malformed UPC, an unknown qualifier) may be mapped
            raw = (elements[v] for _, v in pairs if v < size and elements[v])
            sku = next((sku_map[value] for value in raw if value in sku_map), None)
            if sku:
                found["sku"] = sku
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
    if kind == "gtin" and not is_gtin(value):
        restored = restore_leading_zeros(qualifier, value)
        if restored is not None:
            ctx.warn(seg, f"{qualifier} {value!r} read as {restored} (leading zeros restored; its check digit fits)",
                     position)  # fmt: skip
            value = restored
    if kind is None:
        ctx.warn(seg, f"product id {qualifier}={value!r} not mapped (unknown qualifier)", position)
    elif kind == "gtin" and not is_gtin(value):
        ctx.warn(seg, f"{qualifier} {value!r} is not a GTIN-8/12/13/14: not mapped", position)
    elif kind in found:
        if found[kind] != value:
            ctx.warn(seg, f"second {kind} {qualifier}={value!r} not mapped", position)
    else:
        found[kind] = value
