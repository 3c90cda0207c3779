"""An order's lifecycle as pure rules: where it stands, and what an event does to it.

An order (a marketplace order or a buyer's PO) reaches a *stage* as crossdock processes it (received →
booked in the ERP → released to the warehouse), and per line it has quantities ordered, cancelled,
shipped and invoiced. Its *state* is derived from both: cancelled, partially cancelled, invoiced,
shipped, partially shipped, else its stage. The functions here take what the store holds (or ``None``
for an order not seen yet) and an event, and return what to do and the status after it; the steps
(:mod:`crossdock.actors.handlers.lifecycle`) do the effects and record the transition.

Events arrive in any order: a cancellation before its order (the order is recorded cancelled, and the
original that arrives later is not booked), an amendment older than the version applied (stale:
recorded, never applied), a shipment after a cancellation (an exception for a person).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from crossdock.canonical.order import Order, OrderPurpose

ZERO = Decimal(0)


class Stage(StrEnum):
    """How far crossdock took the order (never goes back)."""

    NONE = "none"
    """Only an amendment was seen (a cancellation before its order)."""
    RECEIVED = "received"
    BOOKED = "booked"
    RELEASED = "released"


STAGES = tuple(Stage)


class OrderState(StrEnum):
    RECEIVED = "received"
    BOOKED = "booked"
    RELEASED = "released"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    PARTIALLY_CANCELLED = "partially_cancelled"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class LineStatus:
    line_number: str
    sku: str | None
    ordered: Decimal
    cancelled: Decimal = ZERO
    shipped: Decimal = ZERO
    invoiced: Decimal = ZERO

    @property
    def open(self) -> Decimal:
        """What is still to be delivered: ordered less cancelled."""
        return self.ordered - self.cancelled


@dataclass(frozen=True, slots=True)
class OrderStatus:
    """One order as the store holds it."""

    stage: Stage
    lines: tuple[LineStatus, ...]
    version: datetime | None = None
    """The as-of time (``Order.updated_at``) of the version applied; ``None`` when it had none."""
    received_at: datetime | None = None
    """When the channel says it was placed (``Order.ordered_at``), else when crossdock first saw it."""

    @property
    def state(self) -> OrderState:
        return derive_state(self.stage, self.lines)

    def line(self, number: str) -> LineStatus | None:
        return next((line for line in self.lines if line.line_number == number), None)

    @property
    def shipped_any(self) -> bool:
        return any(line.shipped > 0 for line in self.lines)


def derive_state(stage: Stage, lines: Sequence[LineStatus]) -> OrderState:
    """Cancelled when nothing is left open; invoiced / shipped when every open unit is; partially shipped
    when some unit is; partially cancelled when a line was cut; else the stage reached."""
    open_lines = [line for line in lines if line.open > 0]
    if stage is Stage.NONE or (lines and not open_lines):  # NONE: only its cancellation was seen
        return OrderState.CANCELLED
    if open_lines and all(line.invoiced >= line.open for line in open_lines):
        return OrderState.INVOICED
    if open_lines and all(line.shipped >= line.open for line in open_lines):
        return OrderState.SHIPPED
    if any(line.shipped > 0 for line in lines):
        return OrderState.PARTIALLY_SHIPPED
    if any(line.cancelled > 0 for line in lines):
        return OrderState.PARTIALLY_CANCELLED
    return OrderState(stage.value)


def lines_of(order: Order) -> tuple[LineStatus, ...]:
    return tuple(LineStatus(line.line_number, line.sku, line.quantity) for line in order.lines)


# -- an order received (an original) -----------------------------------------------------------------


class Arrival(StrEnum):
    NEW = "new"
    """First seen: record it, book it."""
    AGAIN = "again"
    """The same version again (another file, a replay): handed on as before, the steps' keys skip it."""
    AFTER_CANCEL = "after_cancel"
    """Its cancellation came first: recorded, not booked."""
    CHANGE = "change"
    """A newer version whose lines differ: an amendment (``orders.amend``)."""
    STALE = "stale"
    """Older than the version applied: recorded as ignored."""


def receive(current: OrderStatus | None, order: Order, *, now: datetime) -> tuple[Arrival, OrderStatus]:
    """What an original order does to the order's status."""
    if current is None:
        return Arrival.NEW, OrderStatus(Stage.RECEIVED, lines_of(order), order.updated_at, order.ordered_at or now)
    if current.stage is Stage.NONE:
        # recorded with the original's lines, all of them cancelled
        lines = tuple(replace(line, cancelled=line.ordered) for line in lines_of(order))
        return Arrival.AFTER_CANCEL, replace(current, stage=Stage.RECEIVED, lines=lines,
                                             received_at=order.ordered_at or current.received_at)  # fmt: skip
    if is_stale(current, order):
        return Arrival.STALE, current
    newer = order.updated_at is not None and (current.version is None or order.updated_at > current.version)
    if newer and _quantities(current) != {line.line_number: line.quantity for line in order.lines}:
        return Arrival.CHANGE, current
    return Arrival.AGAIN, current


def is_stale(current: OrderStatus, order: Order) -> bool:
    return order.updated_at is not None and current.version is not None and order.updated_at < current.version


def _quantities(current: OrderStatus) -> dict[str, Decimal]:
    return {line.line_number: line.ordered for line in current.lines if line.ordered > 0}


# -- an amendment: a cancellation or a change -----------------------------------------------------------


class AfterRelease(StrEnum):
    AUTOMATIC = "automatic"
    """Cancel / change in the ERP and send the 3PL a 940 cancel / change."""
    EXCEPTION = "exception"
    """Open an exception item for a person; nothing is sent."""


@dataclass(frozen=True, slots=True)
class AmendPolicy:
    """A channel's rules for amendments (``amendments:`` in flows.yaml)."""

    window: timedelta | None = None
    """An amendment later than this after the order was placed is not applied automatically."""
    after_release: AfterRelease = AfterRelease.AUTOMATIC


class Refusal(StrEnum):
    """Why an amendment is left to a person (it decides who: the handler maps it to an owner)."""

    UNKNOWN_ORDER = "unknown_order"
    CANCELLED = "cancelled"
    SHIPPED = "shipped"
    OUTSIDE_WINDOW = "outside_window"
    RELEASED = "released"


class Verdict(StrEnum):
    APPLY = "apply"
    STALE = "stale"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    """A person must decide (shipped already, outside the window, a cancelled order changed): an exception."""
    BOOK_AS_NEW = "book_as_new"
    """A whole-order change for an order never received (its create was lost or is late): book it as it
    stands."""


@dataclass(frozen=True, slots=True)
class Amendment:
    verdict: Verdict
    status: OrderStatus | None
    """The status after it (``None`` only for an order still unknown)."""
    cancels: bool = False
    """Nothing is left open: the whole order is cancelled."""
    erp: str | None = None
    """``cancel`` or ``change``: what to do to the ERP order (booked orders only)."""
    warehouse: OrderPurpose | None = None
    """A 940 to send the 3PL (released orders only): cancellation (W0501 C) or change (R)."""
    reason: str = ""
    refusal: Refusal | None = None
    """Set when the verdict is ``REFUSED``."""
    changed: dict[str, Decimal] = field(default_factory=dict)
    """Line number -> new open quantity, for the lines whose quantity changed."""


def new_quantities(current: OrderStatus | None, amendment: Order) -> dict[str, Decimal]:
    """Line number -> the quantity the amendment leaves open, over every line known and named."""
    known = {line.line_number: line.open for line in current.lines} if current else {}
    named = {line.line_number: line.quantity for line in amendment.lines}
    if amendment.purpose is OrderPurpose.CANCELLATION and not amendment.line_changes_only:
        return {number: ZERO for number in {**known, **named}}
    if amendment.purpose is OrderPurpose.CANCELLATION:  # the named lines are cancelled (quantity: what is left)
        named = {number: quantity if quantity < known.get(number, quantity) else ZERO
                 for number, quantity in named.items()}  # fmt: skip
    if amendment.line_changes_only:
        return {**known, **named}
    return {number: named.get(number, ZERO) for number in {**known, **named}}


def amend(current: OrderStatus | None, amendment: Order, policy: AmendPolicy, *, now: datetime) -> Amendment:
    """What a cancellation or change does, by how far the order got (issue 13, docs/lifecycle.md)."""
    cancel = amendment.purpose is OrderPurpose.CANCELLATION
    if current is None:
        if cancel:  # before its order: recorded cancelled, the original will not be booked
            lines = tuple(replace(line, cancelled=line.ordered) for line in lines_of(amendment))
            status = OrderStatus(Stage.NONE, lines, amendment.updated_at, amendment.ordered_at or now)
            return Amendment(Verdict.APPLY, status, cancels=True, reason="cancelled before the order arrived")
        if amendment.line_changes_only:
            return Amendment(Verdict.REFUSED, None, reason="a change of some lines for an order never received",
                             refusal=Refusal.UNKNOWN_ORDER)
        return Amendment(Verdict.BOOK_AS_NEW, None, reason="a change for an order never received: booked as it stands")
    if is_stale(current, amendment):
        return Amendment(Verdict.STALE, current, reason=f"older ({amendment.updated_at}) than the version applied "
                                                        f"({current.version})")  # fmt: skip
    quantities = new_quantities(current, amendment)
    held = {line.line_number: line.open for line in current.lines}
    changed = {n: q for n, q in quantities.items() if held.get(n) != q}
    version = amendment.updated_at or current.version
    if not changed:
        return Amendment(Verdict.UNCHANGED, replace(current, version=version), reason="nothing to change")
    cancels = all(q == 0 for q in quantities.values())
    if current.state is OrderState.CANCELLED:
        return Amendment(Verdict.REFUSED, current, reason="the order is cancelled", refusal=Refusal.CANCELLED)
    if current.shipped_any:
        shipped = ", ".join(f"line {line.line_number} {line.shipped}" for line in current.lines if line.shipped)
        return Amendment(Verdict.REFUSED, current, reason=f"already shipped ({shipped})", refusal=Refusal.SHIPPED)
    placed = current.received_at
    if policy.window is not None and placed is not None and (amendment.updated_at or now) - placed > policy.window:
        return Amendment(Verdict.REFUSED, current, reason=f"outside the channel's {policy.window} window",
                         refusal=Refusal.OUTSIDE_WINDOW)
    if current.stage is Stage.RELEASED and policy.after_release is AfterRelease.EXCEPTION:
        return Amendment(Verdict.REFUSED, current, reason="released to the warehouse (the channel asks a person)",
                         refusal=Refusal.RELEASED)
    status = replace(current, lines=_apply(current.lines, quantities, amendment), version=version)
    erp = None if current.stage in (Stage.NONE, Stage.RECEIVED) else ("cancel" if cancels else "change")
    warehouse = None
    if current.stage is Stage.RELEASED:
        warehouse = OrderPurpose.CANCELLATION if cancels else OrderPurpose.CHANGE
    return Amendment(Verdict.APPLY, status, cancels=cancels, erp=erp, warehouse=warehouse, changed=changed)


def _apply(lines: Sequence[LineStatus], quantities: Mapping[str, Decimal], amendment: Order) -> tuple[LineStatus, ...]:
    out = []
    for line in lines:
        wanted = quantities.get(line.line_number, line.open)
        if wanted <= line.ordered:
            out.append(replace(line, cancelled=line.ordered - wanted))
        else:  # more than ordered: the order grows
            out.append(replace(line, ordered=wanted, cancelled=ZERO))
    known = {line.line_number for line in lines}
    out += [replace(line, ordered=quantities[line.line_number]) for line in lines_of(amendment)
            if line.line_number not in known and quantities.get(line.line_number, ZERO) > 0]  # fmt: skip
    return tuple(out)


def as_it_stands(order: Order, status: OrderStatus, *, keep_cut: bool = False) -> Order:
    """``order`` (the last whole version held) with the status's open quantities; lines left with
    nothing open are left out (a 940 change or an ERP change names what is still wanted), or kept with
    quantity 0 when ``keep_cut`` (reservations to release)."""
    by_number = {line.line_number: line for line in order.lines}
    lines = []
    for line in status.lines:
        held = by_number.get(line.line_number)
        if held is not None and (line.open > 0 or keep_cut):
            lines.append(held.model_copy(update={"quantity": line.open}))
    return order.model_copy(update={"lines": lines or order.lines[:1]})


# -- shipped, invoiced ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shipped:
    status: OrderStatus
    after_cancel: dict[str, Decimal]
    """Line -> units shipped that were cancelled (beyond what is open, on a line with cancelled units)."""
    unknown: dict[str, Decimal]
    """Quantities for lines the order does not have (by the 945's line number or SKU)."""


def ship(current: OrderStatus, quantities: Sequence[tuple[str | None, str | None, Decimal]]) -> Shipped:
    """Add shipped quantities, each ``(line number, sku, quantity)``: found by line number, else by
    SKU (first line of that SKU with units still unshipped)."""
    lines = {line.line_number: line for line in current.lines}
    unknown: dict[str, Decimal] = {}
    for number, sku, quantity in quantities:
        target = lines.get(number or "")
        if target is None and sku:
            same = [line for line in lines.values() if line.sku == sku]
            target = next((line for line in same if line.shipped < line.open), same[0] if same else None)
        if target is None:
            unknown[number or sku or "?"] = unknown.get(number or sku or "?", ZERO) + quantity
            continue
        lines[target.line_number] = replace(target, shipped=target.shipped + quantity)
    after = {n: min(line.shipped - line.open, line.cancelled) for n, line in lines.items()
             if line.shipped > line.open and line.cancelled > 0}  # more than ordered is no cancellation's business
    return Shipped(replace(current, lines=tuple(lines.values())), after, unknown)


def invoice(current: OrderStatus, quantities: Mapping[str, Decimal]) -> OrderStatus:
    """Add invoiced quantities by line number (lines the order lacks are left out)."""
    add = quantities.get
    lines = tuple(replace(line, invoiced=line.invoiced + add(line.line_number, ZERO)) for line in current.lines)
    return replace(current, lines=lines)


def reach(current: OrderStatus, stage: Stage) -> OrderStatus:
    """The order reached ``stage`` (booked, released); a stage never goes back."""
    if STAGES.index(stage) <= STAGES.index(current.stage):
        return current
    return replace(current, stage=stage)
