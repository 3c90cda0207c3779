"""The inventory flow: ``inventory.apply`` (new inputs → available to sell → what each channel is owed)
and ``inventory.push`` (tell a channel its owed quantities).

* ``apply`` takes an :class:`~crossdock.canonical.InventoryChange` (ERP levels, a 3PL's 846, an order's
  reservations), locks the SKUs it touches (two steps on one SKU compute one after the other), writes
  the inputs that are newer than what is held (the store's versioned upsert), and recomputes only those
  SKUs (and the kits made of them), in the step's transaction. Where a
  channel's quantity changed, one ``inventory.push`` per channel names the SKUs owed.
* ``push`` reads the owed quantities when it runs (a late message never sends an old figure; one that
  arrives before the sender's transaction is visible waits for it, bounded), sets them
  through the channel's adapter (absolute quantities: a retry is harmless), records what was told, and
  pushes again what changed meanwhile. No database transaction is held across the marketplace call.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy.orm import Session

from crossdock.actors.context import StepContext
from crossdock.actors.graph import INVENTORY_ADVISE, INVENTORY_APPLY, INVENTORY_PUSH
from crossdock.actors.handlers.channels import marketplace_order_of
from crossdock.actors.handlers.inventory_ports import InventoryPorts
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.handlers.x12_out import send_x12
from crossdock.actors.steps import Outgoing
from crossdock.canonical import (
    InventoryAdjustment,
    InventoryAdvice,
    InventoryAdviceLine,
    Order,
    OrderPurpose,
    Shipment,
)
from crossdock.canonical.availability import AvailabilityRules, ReservationUpdate, StockUpdate, available_to_sell
from crossdock.canonical.availability.allocate import affected_skus
from crossdock.canonical.envelope import Envelope, idempotency_key
from crossdock.canonical.inventory import InventoryChange, InventoryPush, StockAdjustment, StockReservation
from crossdock.errors import ConfigError, TransientError
from crossdock.store import DocRef, Store
from crossdock.store.inventory import ChannelState

BATCH = 200
"""SKUs per push message."""
ADVICE_BATCH = 5000
"""SKUs per 846 sent to a partner."""
VISIBLE_WAIT_S = 5.0


def units(value: Decimal) -> int:
    """Whole units, rounded down (a fraction of a unit cannot be sold)."""
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def updates_of(change: InventoryChange) -> list[StockUpdate | ReservationUpdate]:
    stock = [StockUpdate(level.sku, level.location, units(level.on_hand), level.as_of, change.sequence, change.source)
             for level in change.levels]  # fmt: skip
    held = [ReservationUpdate(r.order_ref, r.line, r.sku, r.location, units(r.quantity), r.as_of, r.sequence,
                              units(r.shipped)) for r in change.reservations]  # fmt: skip
    return [*stock, *held]


def _inventory(ports: FlowPorts) -> InventoryPorts:
    if ports.inventory is None:
        raise ConfigError("the inventory flow is not configured (inventory: in flows.yaml)")
    return ports.inventory


def apply(ports: FlowPorts, ctx: StepContext, document: InventoryChange) -> list[Outgoing]:
    inventory = _inventory(ports)
    updates = updates_of(document)
    session = ctx.session
    skus = {u.sku for u in updates} | {a.sku for a in document.adjustments}
    ports.store.inventory.lock_skus(session, affected_skus(inventory.rules, skus))
    at = datetime.now(UTC)  # after the locks: a later computation of the same SKUs has a later time
    applied: list[StockUpdate | ReservationUpdate] = [*ports.store.inventory.apply(session, updates)]
    applied += ports.store.inventory.adjust(session, document.adjustments)
    owed = recompute(ports.store, inventory.rules, {u.sku for u in applied}, session=session, at=at,
                     split=inventory.split)  # fmt: skip
    return pushes(inventory, owed, ctx.envelope.idempotency_key, at=at, advised=advised_partners(ports))


def advised_partners(ports: FlowPorts) -> frozenset[str]:
    """The B2B partners sent an 846 of their quantities (``inventory_advice: true``)."""
    return frozenset(partner.name for partner in ports.partners if partner.inventory_advice)


def recompute(
    store: Store,
    rules: AvailabilityRules,
    skus: Iterable[str],
    *,
    session: Session,
    at: datetime | None = None,
    split: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
) -> dict[str, dict[str, int]]:
    """Recompute ``skus`` (and the kits made of them) for every channel; returns channel -> the SKUs owed
    with the quantity computed now. A channel in ``split`` is computed per its parts (``shopify@<id>``:
    the channel's quantity over the locations feeding it) instead of in total."""
    touched = affected_skus(rules, set(skus))
    if not touched:
        return {}
    load = set(touched)
    for sku in touched:
        load.update(rules.kits.get(sku, {}))
        load.update(rules.kits_using(sku))
    ledger = store.inventory.ledger(load, session=session)
    computed = {sku: available_to_sell(ledger, rules, sku) for sku in sorted(touched)}
    offers = {sku: quantities.totals() for sku, quantities in computed.items()}
    targets: dict[str, dict[str, int]] = {}
    for channel in rules.channels:
        parts = (split or {}).get(channel)
        if not parts:
            targets[channel] = {sku: per_channel.get(channel, 0) for sku, per_channel in offers.items()}
            continue
        for name, feeders in parts.items():
            targets[name] = {sku: sum(q.by_location.get(where, {}).get(channel, 0) for where in feeders)
                             for sku, q in computed.items()}  # fmt: skip
    owed: dict[str, dict[str, int]] = {}
    for channel, quantities in targets.items():
        changed = store.inventory.record_computed(session, channel, quantities, at=at)
        if changed:
            owed[channel] = {sku: quantities[sku] for sku in changed}
    return owed


def pushes(
    inventory: InventoryPorts,
    owed: Mapping[str, Mapping[str, int]],
    cause: str,
    *,
    at: datetime | None = None,
    advised: Collection[str] = (),
) -> list[Outgoing]:
    """One message per channel and batch of owed SKUs: ``inventory.push`` for a marketplace with an
    adapter, ``inventory.advise`` (an 846) for a partner in ``advised``."""
    out: list[Outgoing] = []
    for channel, quantities in sorted(owed.items()):
        if channel in advised:
            step, batch_size = INVENTORY_ADVISE, ADVICE_BATCH
        elif channel in inventory.channels:
            step, batch_size = INVENTORY_PUSH, BATCH
        else:
            continue  # a channel in the rules with no adapter configured: computed, shown, not pushed
        skus = sorted(quantities)
        for start in range(0, len(skus), batch_size):
            batch = skus[start : start + batch_size]
            key = idempotency_key(step.name, channel, cause, str(start))
            document = InventoryPush(channel=channel, skus=batch, expected={s: quantities[s] for s in batch},
                                     computed_at=at)  # fmt: skip
            out.append(Outgoing(step, document, key))
    return out


def push(ports: FlowPorts, ctx: StepContext, document: InventoryPush) -> list[Outgoing]:
    inventory = _inventory(ports)
    adapter = inventory.channels.get(document.channel)
    if adapter is None:
        raise ConfigError(f"inventory.{document.channel}: no inventory adapter configured for this channel")
    states = _visible(ports.store, document)
    owed = {sku: state.computed for sku, state in states.items() if state.owed}
    if not owed:
        return []
    adapter.set_quantities(owed)
    again = ports.store.inventory.record_told(document.channel, owed)
    if not again:
        return []
    now = {sku: state.computed for sku, state in ports.store.inventory.states(document.channel, again).items()}
    return pushes(inventory, {document.channel: now}, ctx.envelope.idempotency_key + ":again")


def advise(ports: FlowPorts, ctx: StepContext, document: InventoryPush) -> list[Outgoing]:
    """An 846 to a B2B partner of the quantities it is owed (those the store holds now: a late message
    never sends an old figure, and nothing is sent when none is owed), rendered and recorded in the
    outbox in the step's transaction with what the partner was told; delivered after the commit."""
    inventory = _inventory(ports)
    partner = ports.partner(document.channel)
    session = ctx.session
    owed = ports.store.inventory.owed(document.channel, document.skus, session=session)
    if not owed:
        return []
    at = ctx.envelope.created_at
    advice = InventoryAdvice(
        advice_id=f"ATS-{at:%Y%m%d%H%M%S}-{ctx.envelope.idempotency_key[-8:]}",
        as_of=at,
        location=inventory.location,
        report_type="MM",
        lines=[InventoryAdviceLine(sku=sku, on_hand=Decimal(quantity), available=Decimal(quantity))
               for sku, quantity in sorted(owed.items())],
    )  # fmt: skip
    recorded = send_x12(ports, ctx, partner, "846", advice, business_keys={"advice": advice.advice_id})
    for ref in recorded.refs[1:]:
        ports.store.links.link(recorded.refs[0], ref, message_id=ctx.envelope.message_id, session=session)
    ports.store.inventory.record_told(document.channel, owed, at=at, session=session)
    return [recorded.delivery]


def _visible(store: Store, document: InventoryPush) -> dict[str, ChannelState]:
    """The channel's state of the message's SKUs once the sender's transaction is visible: each SKU
    shows the quantity the sender computed, or a newer computation. The sender sends before its step
    commits, so this waits (bounded); still not visible after :data:`VISIBLE_WAIT_S`, the message is
    retried later."""
    deadline = time.monotonic() + VISIBLE_WAIT_S
    while True:
        states = store.inventory.states(document.channel, document.skus)
        if all(_shows(states.get(sku), document, sku) for sku in document.skus):
            return states
        if time.monotonic() >= deadline:
            raise TransientError(f"{INVENTORY_PUSH} {document.channel}: the computed quantities are not visible yet")
        time.sleep(0.05)


def _shows(state: ChannelState | None, document: InventoryPush, sku: str) -> bool:
    if state is None:
        return False
    expected = document.expected.get(sku)
    if expected is None or state.computed == expected:
        return True
    return document.computed_at is not None and state.computed_at > document.computed_at


# --- where inventory changes come from ------------------------------------------------------------


def from_advice(advice: InventoryAdvice, *, partner: str, location: str, sequence: int) -> InventoryChange:
    """A 3PL's 846 as an inventory change (its location, else the partner's)."""
    return InventoryChange(source=f"846:{partner}:{advice.advice_id}", sequence=sequence,
                           levels=advice.levels(location))  # fmt: skip


def reservations(order: Order, location: str, *, quantity_factor: int = 1) -> InventoryChange | None:
    """An order's lines as reservations (``quantity_factor`` 0 releases them); ``None`` without SKUs."""
    as_of = datetime.now(UTC)
    held = [
        StockReservation(order_ref=f"{order.channel.value}:{order.external_id}", line=line.line_number,
                         sku=line.sku, location=location, quantity=line.quantity * quantity_factor, as_of=as_of)
        for line in order.lines
        if line.sku
    ]  # fmt: skip
    if not held:
        return None
    return InventoryChange(source=f"order:{order.channel.value}:{order.external_id}", reservations=held)


def reserve(ports: FlowPorts, order: Order, envelope: Envelope) -> list[Outgoing]:
    """``orders.to_erp``'s extra message when the inventory flow is configured: the booked order's lines
    reserved at the inventory location (a cancellation releases them, a change replaces them, and lines
    held for the order that it no longer has are released; nothing when the flow is off)."""
    inventory = ports.inventory
    if inventory is None:
        return []
    factor = 0 if order.purpose is OrderPurpose.CANCELLATION else 1
    change = reservations(order, inventory.location, quantity_factor=factor)
    dropped = _dropped_lines(ports, order)
    if change is None and not dropped:
        return []
    if change is None:
        change = InventoryChange(source=f"order:{order.channel.value}:{order.external_id}", reservations=dropped)
    else:
        change = change.model_copy(update={"reservations": [*change.reservations, *dropped]})
    return [Outgoing(INVENTORY_APPLY, change, idempotency_key("reserve", envelope.idempotency_key))]


def _dropped_lines(ports: FlowPorts, order: Order) -> list[StockReservation]:
    """Reservations held for lines the order no longer has (a change that dropped them): released."""
    order_ref = f"{order.channel.value}:{order.external_id}"
    named = {line.line_number for line in order.lines if line.sku}
    now = datetime.now(UTC)
    return [
        StockReservation(order_ref=held.order_ref, line=held.line, sku=held.sku, location=held.location,
                         quantity=Decimal(0), shipped=Decimal(held.shipped), as_of=max(now, held.as_of),
                         sequence=held.sequence + 1)
        for held in ports.store.inventory.reservations_of(order_ref)
        if held.line not in named and held.quantity > 0
    ]  # fmt: skip


def advice_received(
    ports: FlowPorts, partner: TradingPartner, advice: InventoryAdvice, interchange: DocRef, handed_on: list[str]
) -> Outgoing:
    """``edi.inbound``'s hand-on of a 3PL's 846: its levels (at the 846's location, else the partner's
    ERP location, else the inventory location) ordered by the interchange control number."""
    control = interchange.doc_id.split(":")[1] if interchange.doc_id.count(":") >= 1 else "0"
    location = advice.location or partner.erp_location_code or (ports.inventory.location if ports.inventory else "")
    if not location:
        raise ConfigError(f"846 {advice.advice_id} from {partner.name} names no location, and the partner has none")
    change = from_advice(advice, partner=partner.name, location=location,
                         sequence=int(control) if control.isdigit() else 0)  # fmt: skip
    handed_on.append(f"846 {advice.advice_id} ({len(advice.lines)} items at {location}) → {INVENTORY_APPLY}")
    key = idempotency_key("846", partner.name, interchange.doc_id, advice.advice_id)
    return Outgoing(INVENTORY_APPLY, change, key)


def adjustment_received(
    ports: FlowPorts,
    partner: TradingPartner,
    adjustment: InventoryAdjustment,
    interchange: DocRef,
    set_control: str,
    handed_on: list[str],
) -> Outgoing:
    """``edi.inbound``'s hand-on of a 3PL's 947: its lines as on-hand deltas (at the 947's location, else
    the partner's ERP location, else the inventory location), each applied once per (partner,
    interchange, set): the key is kept with the applied line, so a replayed file changes nothing."""
    location = adjustment.location or partner.erp_location_code or (ports.inventory.location if ports.inventory else "")
    if not location:
        raise ConfigError(
            f"947 {adjustment.adjustment_id} from {partner.name} names no location, and the partner has none"
        )
    key = f"947:{partner.name}:{interchange.doc_id}:{set_control}"
    # one key per line: two lines of one SKU (damaged -2, found +1) are two adjustments, both applied once
    deltas = [StockAdjustment(key=f"{key}:{n}", sku=line.sku, location=location, delta=line.quantity,
                              reason=line.reason, as_of=adjustment.as_of)
              for n, line in enumerate(adjustment.lines, start=1)]  # fmt: skip
    change = InventoryChange(source=f"947:{partner.name}:{adjustment.adjustment_id}", adjustments=deltas)
    handed_on.append(f"947 {adjustment.adjustment_id} ({len(deltas)} adjustments at {location}) → {INVENTORY_APPLY}")
    return Outgoing(INVENTORY_APPLY, change, idempotency_key("947", key))


def release_shipped(ports: FlowPorts, shipment: Shipment, envelope: Envelope) -> list[Outgoing]:
    """``shipments.to_erp``'s extra message when the inventory flow is configured: each shipped order's
    reservations reduced by the units shipped of each SKU (released when all shipped), those units noted
    as shipped: they stay held against on-hand figures older than the shipment. The order is found as
    ``orders.to_erp`` reserved it: a marketplace order by its channel, else an EDI PO."""
    if ports.inventory is None:
        return []
    now = datetime.now(UTC)
    released: list[StockReservation] = []
    for order in shipment.orders:
        found = marketplace_order_of(ports.store, order)
        order_ref = f"{found[0]}:{found[1]}" if found else f"edi:{order.po_number or order.order_ref}"
        shipped: dict[str, Decimal] = {}
        for line in order.all_lines:
            if line.sku:
                shipped[line.sku] = shipped.get(line.sku, Decimal(0)) + line.quantity_shipped
        for held in ports.store.inventory.reservations_of(order_ref):
            take = min(Decimal(held.quantity), shipped.get(held.sku, Decimal(0)))
            if take <= 0:
                continue
            shipped[held.sku] -= take
            released.append(StockReservation(order_ref=held.order_ref, line=held.line, sku=held.sku,
                                              location=held.location, quantity=Decimal(held.quantity) - take,
                                              shipped=Decimal(held.shipped) + take, as_of=max(now, held.as_of),
                                              sequence=held.sequence + 1))  # fmt: skip
    if not released:
        return []
    change = InventoryChange(source=f"shipment:{shipment.shipment_id}", reservations=released)
    return [Outgoing(INVENTORY_APPLY, change, idempotency_key("release", envelope.idempotency_key))]
