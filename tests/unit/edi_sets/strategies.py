"""Hypothesis strategies for canonical documents *within what each X12 set can carry*.

The restrictions (also in docs/edi-translation.md):
- text has no X12 delimiter and no leading/trailing space; codes are short upper-case;
- times are whole seconds; amounts written as SAC05 (N2) have two decimals and are not negative;
- 850: channel is ``edi``, ``order_type`` is set, totals carry only subtotal/total, no ``external_line_id``,
  a cancellation or change without ``updated_at`` is as of its ``ordered_at``;
- 940: no CONFIRMATION purpose, no line ``unit_price``, no service level, warehouse/depositor codes are
  the N104 of the WH/DE party;
- 945: one order, no order parties, packages carry only SSCC/tracking and have one of them, GTINs are
  12 digits, no service level;
- 856: any package attributes, pallets, several orders with parties.
- Shipments: ``ship_from``/``ship_to`` have those roles and ``parties`` holds neither; ``partial`` is
  what the lines say.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from crossdock.canonical import (
    Address,
    Discount,
    Fee,
    Order,
    OrderLine,
    OrderPurpose,
    Package,
    Party,
    PartyRole,
    Shipment,
    ShipmentLine,
    ShipmentOrder,
    ShippingMethod,
    Tax,
    Totals,
    WarehouseShippingOrder,
    WarehouseShippingOrderLine,
    gs1_check_digit,
)

_ALPHABET = "ABCDEFGHJKLMNOPQRSTUVWXYZ0123456789 -.#/&"
text = st.text(_ALPHABET, min_size=1, max_size=14).map(str.strip).filter(bool)
maybe_text = st.none() | text
code = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=2, max_size=3)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2049, 12, 31))
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2049, 12, 31), timezones=st.just(UTC)).map(
    lambda m: m.replace(microsecond=0)
)
quantities = st.decimals(min_value=0, max_value=99999, places=3, allow_nan=False, allow_infinity=False)
prices = st.decimals(min_value=0, max_value=9999, places=4, allow_nan=False, allow_infinity=False)
amounts2 = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False)
units = st.sampled_from(["EA", "CA", "PK", "LB", "DZ"])


@st.composite
def gtins(draw: Any, lengths: tuple[int, ...] = (8, 12, 13, 14)) -> str:
    length = draw(st.sampled_from(lengths))
    body = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    return body + str(gs1_check_digit(body))


@st.composite
def ssccs(draw: Any) -> str:
    body = draw(st.text("0123456789", min_size=17, max_size=17))
    return body + str(gs1_check_digit(body))


@st.composite
def addresses(draw: Any) -> Address | None:
    address = Address(
        lines=draw(st.lists(text, max_size=4)),
        city=draw(maybe_text),
        region=draw(st.none() | st.sampled_from(["OH", "ON", "CA"])),
        postal_code=draw(st.none() | st.text("0123456789", min_size=5, max_size=5)),
        country=draw(st.none() | st.sampled_from(["US", "CA", "MX", "GB"])),
    )
    empty = not address.lines and not (address.city or address.region or address.postal_code or address.country)
    return None if empty else address


@st.composite
def parties(draw: Any, roles: list[PartyRole]) -> Party:
    identified = draw(st.booleans())
    return Party(
        role=draw(st.sampled_from(roles)),
        name=draw(maybe_text) if identified else draw(text),  # an N1 needs a name or an id (R0203)
        id_qualifier=draw(st.sampled_from(["92", "9", "UL", "ZZ"])) if identified else None,
        id_code=draw(text) if identified else None,
        address=draw(addresses()),
        contact_name=draw(maybe_text),
        phone=draw(st.none() | st.text("0123456789", min_size=7, max_size=10)),
        email=draw(st.none() | st.just("ops@example.com")),
    )


ALL_ROLES = list(PartyRole)
OTHER_ROLES = [r for r in PartyRole if r not in (PartyRole.SHIP_FROM, PartyRole.SHIP_TO)]


def references(reserved: frozenset[str] = frozenset()) -> Any:
    return st.dictionaries(code.filter(lambda k: k not in reserved), text, max_size=3)


@st.composite
def orders(draw: Any) -> Order:
    count = draw(st.integers(1, 4))
    lines = []
    for number in range(1, count + 1):
        ids = draw(st.fixed_dictionaries({}, optional={"sku": text, "gtin": gtins(), "buyer_part_number": text,
                                                       "vendor_part_number": text}))  # fmt: skip
        if not ids:
            ids = {"sku": draw(text)}
        lines.append(
            OrderLine(
                line_number=str(number * draw(st.sampled_from([1, 10]))) if number else "1",
                description=draw(maybe_text),
                quantity=draw(quantities),
                unit_of_measure=draw(units),
                unit_price=draw(st.none() | prices),
                discounts=draw(st.lists(_discounts(), max_size=2)),
                taxes=draw(st.lists(_taxes(), max_size=2)),
                **ids,
            )
        )
    seen: set[str] = set()
    for index, line in enumerate(lines):  # keep line numbers unique
        if line.line_number in seen:
            lines[index] = line.model_copy(update={"line_number": f"{line.line_number}-{index}"})
        seen.add(lines[index].line_number)
    refs = draw(references(frozenset()))
    refs.update(draw(st.fixed_dictionaries({}, optional={"release_number": text, "contract_number": text})))
    totals = draw(st.fixed_dictionaries({}, optional={"subtotal": prices, "total": prices}))
    purpose = draw(st.sampled_from(list(OrderPurpose)))
    ordered_at = draw(st.none() | moments)
    updated_at = draw(st.none() | moments)
    if updated_at is None and purpose in (OrderPurpose.CANCELLATION, OrderPurpose.CHANGE):
        updated_at = ordered_at  # an 850 amendment without DTM*097 is as of its PO date
    return Order(
        channel="edi",
        external_id=draw(text),
        purpose=purpose,
        order_type=draw(st.sampled_from(["SA", "DS", "RL"])),
        ordered_at=ordered_at,
        updated_at=updated_at,
        requested_ship_date=draw(st.none() | days),
        requested_delivery_date=draw(st.none() | days),
        cancel_after=draw(st.none() | days),
        currency=draw(st.sampled_from(["USD", "CAD", "EUR"])),
        parties=draw(st.lists(parties(ALL_ROLES), max_size=3)),
        lines=lines,
        shipping_method=draw(st.none() | _methods(service_level=True)),
        discounts=draw(st.lists(_discounts(), max_size=2)),
        taxes=draw(st.lists(_taxes(), max_size=2)),
        fees=draw(st.lists(st.builds(Fee, kind=st.sampled_from(["D240", "H750"]), amount=amounts2), max_size=2)),
        totals=Totals(**totals) if totals else None,
        notes=draw(st.lists(text, max_size=2)),
        references=refs,
    )


def _discounts() -> Any:
    return st.builds(Discount, description=maybe_text, code=st.none() | st.sampled_from(["C310", "A260"]),
                     amount=amounts2)  # fmt: skip


def _taxes() -> Any:
    rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
    return st.builds(Tax, kind=st.sampled_from(["sales", "vat", "gst"]), amount=amounts2, rate=st.none() | rates,
                     jurisdiction=maybe_text)  # fmt: skip


@st.composite
def _methods(draw: Any, service_level: bool) -> ShippingMethod:
    method = ShippingMethod(
        carrier=draw(maybe_text),
        routing=draw(maybe_text),
        service_level=draw(maybe_text) if service_level else None,
    )
    if not (method.carrier or method.routing or method.service_level):
        method = method.model_copy(update={"carrier": "UPSN"})
    return method


@st.composite
def warehouse_orders(draw: Any) -> WarehouseShippingOrder:
    count = draw(st.integers(1, 4))
    lines = []
    for number in range(1, count + 1):
        ids = draw(st.fixed_dictionaries({}, optional={"sku": text, "gtin": gtins(), "buyer_part_number": text}))
        lines.append(
            WarehouseShippingOrderLine(
                line_number=draw(st.sampled_from([str(number), f"{number:04d}", f"L{number}"])),
                description=draw(maybe_text),
                quantity=draw(quantities),
                unit_of_measure=draw(units),
                lot=draw(maybe_text),
                **(ids or {"sku": draw(text)}),
            )
        )
    the_parties = draw(st.lists(parties(ALL_ROLES), max_size=4))
    warehouse = next((p.id_code for p in the_parties if p.role == PartyRole.WAREHOUSE and p.id_code), None)
    depositor = next((p.id_code for p in the_parties if p.role == PartyRole.SELLER and p.id_code), None)
    return WarehouseShippingOrder(
        order_ref=draw(text),
        po_number=draw(maybe_text),
        shipment_id=draw(maybe_text),
        purpose=draw(st.sampled_from([OrderPurpose.ORIGINAL, OrderPurpose.CANCELLATION, OrderPurpose.CHANGE])),
        warehouse_code=warehouse,
        depositor_code=depositor,
        requested_ship_date=draw(st.none() | days),
        requested_delivery_date=draw(st.none() | days),
        cancel_after=draw(st.none() | days),
        parties=the_parties,
        shipping_method=draw(st.none() | _methods(service_level=False)),
        lines=lines,
        notes=draw(st.lists(text, max_size=2)),
        references=draw(references(frozenset({"SI"}))),
    )


@st.composite
def shipment_lines(draw: Any, gtin_lengths: tuple[int, ...]) -> ShipmentLine:
    return ShipmentLine(
        line_number=draw(maybe_text),
        sku=draw(maybe_text),
        gtin=draw(st.none() | gtins(gtin_lengths)),
        buyer_part_number=draw(maybe_text),
        vendor_part_number=draw(maybe_text),
        description=draw(maybe_text),
        quantity_ordered=draw(st.none() | quantities),
        quantity_shipped=draw(quantities),
        unit_of_measure=draw(units),
        lot=draw(maybe_text),
    )


@st.composite
def _packages(draw: Any, rich: bool, gtin_lengths: tuple[int, ...]) -> Package:
    sscc = draw(st.none() | ssccs())
    tracking = draw(maybe_text)
    if not rich and not (sscc or tracking):
        sscc = draw(ssccs())
    weighed = rich and draw(st.booleans())
    return Package(
        sscc=sscc,
        tracking_number=tracking,
        weight=draw(quantities) if weighed else None,
        weight_unit=draw(st.sampled_from(["LB", "KG"])) if weighed else None,
        packaging_code=draw(st.none() | st.sampled_from(["CTN25", "PLT94"])) if rich else None,
        pallet_sscc=draw(st.none() | ssccs()) if rich else None,
        lines=draw(st.lists(shipment_lines(gtin_lengths), max_size=2)),
    )


@st.composite
def shipments(draw: Any, set_id: str) -> Shipment:
    rich = set_id == "856"
    gtin_lengths = (8, 12, 13, 14) if rich else (12,)
    order_count = draw(st.integers(1, 3)) if rich else 1
    the_orders = []
    for _ in range(order_count):
        po_number = draw(maybe_text)
        order = ShipmentOrder(
            po_number=po_number,
            order_ref=draw(maybe_text),
            po_date=draw(st.none() | days) if po_number else None,
            parties=draw(st.lists(parties(ALL_ROLES), max_size=2)) if rich else [],
            references=draw(references(frozenset({"VN"}))) if rich else {},
            packages=draw(st.lists(_packages(rich, gtin_lengths), max_size=3)),
            lines=draw(st.lists(shipment_lines(gtin_lengths), min_size=0 if rich else 1, max_size=2)),
        )
        the_orders.append(order)
    lines = [line for order in the_orders for line in order.all_lines]
    weighed = draw(st.booleans())
    ship_from = draw(st.none() | parties([PartyRole.SHIP_FROM]))
    ship_to = draw(st.none() | parties([PartyRole.SHIP_TO]))
    return Shipment(
        shipment_id=draw(text),
        shipped_at=draw(st.none() | moments),
        estimated_delivery=draw(st.none() | days),
        ship_from=ship_from,
        ship_to=ship_to,
        parties=draw(st.lists(parties(OTHER_ROLES), max_size=2)),
        carrier_scac=draw(st.none() | st.sampled_from(["UPSN", "FDEG", "RDWY"])),
        carrier_name=draw(maybe_text),
        service_level=draw(maybe_text) if rich else None,
        bill_of_lading=draw(maybe_text),
        pro_number=draw(maybe_text),
        tracking_numbers=draw(st.lists(text, max_size=2)),
        total_weight=draw(quantities) if weighed else None,
        weight_unit=draw(st.sampled_from(["LB", "KG"])) if weighed else None,
        package_count=draw(st.none() | st.integers(0, 999)),
        orders=the_orders,
        partial=any(ln.quantity_ordered is not None and ln.quantity_shipped < ln.quantity_ordered for ln in lines),
        references=draw(references(frozenset({"BM", "CN", "2I", "LI"}))),
    )


def as_body(segments: list[Any]) -> str:
    return "\n".join("*".join(seg.elements) for seg in segments)


def decimal_equal(a: Decimal, b: Decimal) -> bool:
    return a == b
