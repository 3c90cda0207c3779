"""``crossdock demo --orders N``: N orders over every channel, on embedded defaults, to their final state.

What runs is what production runs, in one process: the flow steps on Dramatiq's in-memory broker with
an in-process worker, SQLite in a work folder, the ERP simulator and the marketplace simulator served on
loopback ports and called through crossdock's own SOAP and REST clients, the signed-webhook receiver,
the Amazon and Walmart pollers, and local folders standing in for the partners' SFTP mailboxes.

The orders come in four ways, round robin: a buyer's 850 dropped in its mailbox, a Shopify order
webhook fired by the simulator at the receiver, an Amazon and a Walmart order found by a poll. A
simulated 3PL answers each 940 with a 997 and a 945: most ship in full, some in two parts, some late
(in a later round). A few inputs are bad on purpose (an unreadable file, a webhook that maps to no
order, an item the ERP does not know) and end as exception items; a few arrive twice.

The summary is read from the store (:mod:`crossdock.store.census`) and from the simulators, never
from what the demo itself sent: ``lost`` counts orders that reached neither a final state nor an open
exception item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import httpx

from crossdock.actors.embedded import EmbeddedFlows
from crossdock.actors.embedded_erp import EmbeddedErp
from crossdock.actors.flow_config import flow_config_from_dict
from crossdock.actors.flow_demo import ITEM_MAP, _workdir
from crossdock.actors.folder_intake import poll_folder
from crossdock.actors.inventory_pull import send_levels
from crossdock.actors.wiring import build_inventory, build_marketplaces, build_order_poller, build_ports
from crossdock.bridges.rest.poll_service import PollService
from crossdock.bridges.rest.poll_state_file import PollStateFile
from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.serving import ServerThread
from crossdock.bridges.rest.sim import SimState, create_sim_app
from crossdock.bridges.rest.sim import auth as sim_auth
from crossdock.bridges.rest.sim.webhooks import WebhookShot, signed_request
from crossdock.canonical import Channel, Order
from crossdock.canonical.order import OrderLine, OrderPurpose
from crossdock.canonical.party import Address, Party, PartyRole
from crossdock.canonical.shipment import Package, Shipment, ShipmentLine, ShipmentOrder
from crossdock.canonical.warehouse import WarehouseShippingOrder
from crossdock.edi import validate
from crossdock.edi.ack import build_acks
from crossdock.edi.control import ControlKind
from crossdock.edi.partners import PartnerProfile, load_partner_profile
from crossdock.edi.translate import render, translate
from crossdock.examples import EXAMPLES
from crossdock.settings import load_settings
from crossdock.store import Store
from crossdock.store.census import open_item_keys, order_book, take

BUYER, THREEPL = "acme-retail", "northstar-3pl"
CHANNELS = ("edi", "shopify", "amazon", "walmart")
MARKET_ITEMS = {"WIDGET-RED": ("ITEM-11", "Red widget", "12.50"), "WIDGET-BLUE": ("ITEM-12", "Blue widget", "12.50"),
                "GADGET-XL": ("ITEM-13", "Gadget, extra large", "49.99"), "MUG-11OZ": ("ITEM-14", "Mug 11oz", "8.00"),
                "TEE-M-BLK": ("ITEM-15", "T-shirt M black", "19.00")}  # fmt: skip
"""The marketplace simulator's SKUs as items of their own in the ERP."""
MARKET_SKUS = {sku: item for sku, (item, _, _) in MARKET_ITEMS.items()}
WEBHOOK_SECRET = "demo-webhook-secret"  # noqa: S105 - the demo's own loopback receiver and simulator
SHOPIFY_TOKEN = "shpat_demo"  # noqa: S105 - the simulator's demo token, not a credential
INVENTORY_CALLS = ("shopify.inventory_levels", "walmart.inventory", "amazon.listings")
"""What the marketplace simulator records of the quantities it was told."""
FINAL_ROUNDS = 4
EARLY = 9_000
"""The buyer order whose cancellation arrives before it."""
"""3PL rounds: first answers, late answers, the rest of the split shipments, a last sweep."""

Progress = Callable[[str, int, int], None]
"""``(what, done, total)``: called as the run goes."""


@dataclass
class LifecycleSummary:
    orders: int
    workdir: Path
    by_channel: dict[str, int]
    counts: dict[str, Any] = field(default_factory=dict)
    """The figures of the run, from the store and the simulators (the JSON keys of ``--json``)."""

    @property
    def ok(self) -> bool:
        return self.counts.get("lost") == 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.counts)


class PartnerNumbers:
    """A partner's own control numbers (the buyer's, the 3PL's): what their systems hand out."""

    def __init__(self, start: int) -> None:
        self._next = count(start)

    def next(self, partner: str, kind: ControlKind) -> int:
        return next(self._next)


def turned(profile: PartnerProfile) -> PartnerProfile:
    """Our profile of a partner, turned around: how that partner envelopes what it sends us."""
    return profile.model_copy(update={
        "name": f"{profile.name}-as-sender", "sender_id": profile.receiver_id, "receiver_id": profile.sender_id,
        "sender_qualifier": profile.receiver_qualifier, "receiver_qualifier": profile.sender_qualifier})  # fmt: skip


def split_orders(orders: int) -> dict[str, int]:
    per = dict.fromkeys(CHANNELS, 0)
    for n in range(orders):
        per[CHANNELS[n % len(CHANNELS)]] += 1
    return per


def buyer_order(n: int) -> Order:
    skus = sorted(ITEM_MAP)
    lines = [OrderLine(line_number=str(i + 1), sku=sku, quantity=Decimal(1 + (n + i) % 3), unit_of_measure="EA",
                       unit_price=Decimal("9.50") + i) for i, sku in enumerate(skus[: 1 + n % len(skus)])]  # fmt: skip
    ship_to = Party(role=PartyRole.SHIP_TO, name=f"ACME STORE {100 + n}", id_qualifier="92", id_code=f"{100 + n}",
                    address=Address(lines=[f"{n + 1} Commerce Way"], city="Columbus", region="OH",
                                    postal_code="43215", country="US"))  # fmt: skip
    return Order(channel=Channel.EDI, external_id=f"PO-DEMO-{n + 1:05d}", order_type="SA",
                 ordered_at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC), requested_ship_date=date(2026, 12, 9),
                 parties=[ship_to], lines=lines)  # fmt: skip


class ThreePL:
    """The simulated 3PL: reads the 940s crossdock put in its mailbox, answers each with a 997 and
    a 945 in its inbound folder. Every ``split``-th order ships in two parts (the second in a later
    round), every ``late``-th one round late."""

    WAREHOUSE = Party(role=PartyRole.SHIP_FROM, name="NORTHSTAR LOGISTICS COLUMBUS", id_qualifier="9",
                      id_code="0614141000005")  # fmt: skip

    def __init__(self, mailbox: Path, profile: PartnerProfile, *, split: int = 5, late: int = 7) -> None:
        self.mailbox = mailbox
        self.sends = turned(profile)
        self.numbers = PartnerNumbers(500_000)
        self.split, self.late = split, late
        self.seen: set[str] = set()
        self.waiting: list[tuple[int, WarehouseShippingOrder, dict[str, Decimal]]] = []
        self.shipments = count(1)
        self.orders = 0
        self.shipped: set[str] = set()
        self.cancelled: set[str] = set()

    def answer(self, now: datetime) -> int:
        """One round: new 940s get their 997; an order's latest 940 (an original, a change, a cancel)
        decides what ships: a cancelled order nothing, a changed one its new quantities; most ship now,
        the late ones and the rest of the split ones in the next round. Returns the files written."""
        written = 0
        due, self.waiting = self.waiting, []
        latest: dict[str, WarehouseShippingOrder] = {}
        for name in sorted(p.name for p in (self.mailbox / "outbound").iterdir() if not p.name.startswith(".")):
            if name in self.seen or "_940_" not in name:
                continue
            self.seen.add(name)
            data = (self.mailbox / "outbound" / name).read_bytes()
            for ack in build_acks(validate.validate(data), self.numbers, now=now, partner=self.sends.name):
                written += self._drop(f"997_{name}", ack)
            for result in translate(data).sets:
                if isinstance(result.document, WarehouseShippingOrder):
                    latest[result.document.order_ref] = result.document
        cancelled = {ref for ref, wso in latest.items() if wso.purpose is OrderPurpose.CANCELLATION}
        self.cancelled |= cancelled
        for ref, wso in latest.items():
            if ref in cancelled or ref in self.shipped:
                continue  # a cancel, or a change of an order already on its way: nothing more leaves
            self.shipped.add(ref)
            self.orders += 1
            everything = {line.line_number: line.quantity for line in wso.lines if line.quantity > 0}
            if self.orders % self.late == 0:
                self.waiting.append((self.orders, wso, everything))
            elif self.orders % self.split == 0 and sum(everything.values()) > 1:
                first, rest = self._halves(everything)
                written += self._ship(wso, first, now)
                self.waiting.append((self.orders, wso, rest))
            else:
                written += self._ship(wso, everything, now)
        for _, wso, quantities in due:
            if wso.order_ref not in self.cancelled:
                written += self._ship(wso, quantities, now)
        return written

    @staticmethod
    def _halves(quantities: dict[str, Decimal]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
        first = dict(quantities)
        line = next(n for n, q in quantities.items() if q > 0)
        if quantities[line] > 1:
            first[line] = quantities[line] - 1
            return first, {line: Decimal(1)}
        first.pop(line)
        return first, {line: quantities[line]}

    def _ship(self, wso: WarehouseShippingOrder, quantities: dict[str, Decimal], now: datetime) -> int:
        number = next(self.shipments)
        tracking = f"1ZDEMO{number:012d}"
        lines = [ShipmentLine(line_number=line.line_number, sku=line.sku, quantity_ordered=line.quantity,
                              quantity_shipped=quantities[line.line_number])
                 for line in wso.lines if quantities.get(line.line_number)]  # fmt: skip
        shipment = Shipment(
            shipment_id=f"SHP-DEMO-{number:06d}", shipped_at=now, ship_from=self.WAREHOUSE, carrier_scac="UPSN",
            carrier_name="UPS GROUND", tracking_numbers=[tracking],
            orders=[ShipmentOrder(order_ref=wso.order_ref, po_number=wso.po_number,
                                  packages=[Package(tracking_number=tracking, lines=lines)])],
        )  # fmt: skip
        return self._drop(f"945_{shipment.shipment_id}.x12", render("945", shipment, self.sends, self.numbers, now=now))

    def _drop(self, name: str, data: bytes) -> int:
        (self.mailbox / "inbound" / name).write_bytes(data)
        return 1


@contextmanager
def _marketplace(per: dict[str, int]) -> Iterator[tuple[ServerThread, SimState]]:
    state = SimState(orders_per_channel=max(per["shopify"], per["amazon"], per["walmart"], 1))
    with state.lock:
        state.shopify = state.shopify[: per["shopify"]]
        state.amazon = state.amazon[: per["amazon"]]
        state.walmart = state.walmart[: per["walmart"]]
    state.auth.strict.update(("amazon", "walmart"))  # only the tokens it issued, as the real APIs
    with ServerThread(create_sim_app(state)) as server:
        yield server, state


def _config(examples: Path, work: Path, erp: str, market: str) -> dict[str, Any]:
    return {
        "warehouse_partner": THREEPL,
        "warehouse_code": "COL1",
        "item_map": {**ITEM_MAP, **MARKET_SKUS},
        "channel_customers": {"shopify": "C10000", "amazon": "C20000", "walmart": "C20000"},
        "erp": {"endpoint": erp, "read_timeout_s": 10},
        "partners": [
            {"edi": str(examples / "partners" / f"{BUYER}.yaml"),
             "outbound_folder": str(work / "sftp" / BUYER / "outbound"), "erp_customer_no": "C30000"},
            {"edi": str(examples / "partners" / f"{THREEPL}.yaml"),
             "outbound_folder": str(work / "sftp" / THREEPL / "outbound"), "erp_location_code": "MAIN"},
        ],
        "inventory": {
            "location": "MAIN", "safety_stock": 2,
            "channels": {"shopify": {"share": 0.5, "priority": 1}, "amazon": {"share": 0.3}, "walmart": {"fixed": 25}},
            "push": {"shopify": {"location_id": 1, "item_ids": {sku: 808_950_000 + n for n, sku in
                                                              enumerate(sorted({**ITEM_MAP, **MARKET_SKUS}))}},
                     "walmart": {}, "amazon": {"seller_id": "A2DEMOSELLER"}},
        },
        "marketplaces": {
            "shopify": {"base_url": market, "token_env": "DEMO_SHOPIFY_TOKEN", "timeout_s": 10},
            "amazon": {"base_url": market, "marketplace_id": "ATVPDKIKX0DER", "timeout_s": 10, "auth": {
                "lwa": {"token_url": f"{market}/auth/o2/token", "client_id": sim_auth.LWA_CLIENT_ID,
                        "client_secret_env": "DEMO_LWA_SECRET", "refresh_token_env": "DEMO_LWA_REFRESH"}}},
            "walmart": {"base_url": market, "timeout_s": 10, "auth": {
                "client_credentials": {"token_url": f"{market}/v3/token", "client_id_env": "DEMO_WM_ID",
                                       "client_secret_env": "DEMO_WM_SECRET"}}},
        },
    }  # fmt: skip


DEMO_ENV = {
    "DEMO_SHOPIFY_TOKEN": SHOPIFY_TOKEN,
    "DEMO_LWA_SECRET": sim_auth.LWA_CLIENT_SECRET,
    "DEMO_LWA_REFRESH": sim_auth.LWA_REFRESH_TOKEN,
    "DEMO_WM_ID": sim_auth.WALMART_CLIENT_ID,
    "DEMO_WM_SECRET": sim_auth.WALMART_CLIENT_SECRET,
}
"""The simulator's own demo credentials, handed to the wiring as an environment of their own (the
process environment is not touched)."""


@dataclass
class Rig:
    """Everything a run over every channel needs, started: the work folder, the ERP and marketplace
    simulators, the store, the ports, the embedded flows, the webhook receiver and the simulated 3PL."""

    work: Path
    erp: EmbeddedErp
    market: ServerThread
    market_state: SimState
    store: Store
    config: Any
    ports: Any
    flows: EmbeddedFlows
    receiver: ServerThread
    buyer: PartnerProfile
    threepl: ThreePL
    mailboxes: dict[str, Path]


@contextmanager
def lifecycle_rig(
    per: dict[str, int],
    workdir: Path | None = None,
    *,
    examples: Path = EXAMPLES,
    erp: dict[str, Any] | None = None,
) -> Iterator[Rig]:
    """Start the simulators, the store and the embedded flows for ``per`` orders per channel; ``erp``
    adds to the ERP connection's settings (e.g. ``breaker_cooldown_s``)."""
    with ExitStack() as stack:
        work = stack.enter_context(_workdir(workdir))
        sim = stack.enter_context(EmbeddedErp())
        for item, description, price in MARKET_ITEMS.values():
            sim.add_item(item, description, price)
        sim.stock("MAIN", 5_000)
        market, market_state = stack.enter_context(_marketplace(per))
        settings = load_settings(environ={"CROSSDOCK_DATA_DIR": str(work), "CROSSDOCK_MIN_BACKOFF_MS": "50",
                                          "CROSSDOCK_MAX_BACKOFF_MS": "500"})  # fmt: skip
        store = Store.from_settings(settings)
        stack.callback(store.close)
        store.upgrade()
        raw = _config(examples, work, sim.endpoint, market.url)
        raw["erp"].update(erp or {})
        config = flow_config_from_dict(raw, base=examples)
        ports = build_ports(
            config,
            store,
            marketplaces=build_marketplaces(config.marketplaces, DEMO_ENV),
            inventory=build_inventory(config, DEMO_ENV),
        )
        stack.callback(ports.close)
        mailboxes = {name: work / "sftp" / name for name in (BUYER, THREEPL)}
        for root in mailboxes.values():
            (root / "inbound").mkdir(parents=True, exist_ok=True)
            (root / "outbound").mkdir(parents=True, exist_ok=True)
        flows = stack.enter_context(EmbeddedFlows(settings, ports))
        receiver = stack.enter_context(ServerThread(create_receiver(flows.webhook_sink, WEBHOOK_SECRET.encode(),
                                                                    tolerance_s=300)))  # fmt: skip
        buyer = load_partner_profile((examples / "partners" / f"{BUYER}.yaml").read_bytes())
        threepl = ThreePL(mailboxes[THREEPL], load_partner_profile((examples / "partners" / f"{THREEPL}.yaml")
                                                                   .read_bytes()))  # fmt: skip
        yield Rig(work, sim, market, market_state, store, config, ports, flows, receiver, buyer, threepl, mailboxes)


def run_lifecycle_demo(
    orders: int, workdir: Path | None = None, *, examples: Path = EXAMPLES, progress: Progress | None = None
) -> LifecycleSummary:
    """Run ``orders`` orders over every channel to their final state; ``workdir`` keeps the state
    (default: a temporary folder, removed afterwards)."""
    if orders < 1:
        raise ValueError("the demo needs at least one order")
    per = split_orders(orders)
    tell = progress or (lambda what, done, total: None)
    steps = 6 + FINAL_ROUNDS
    with lifecycle_rig(per, workdir, examples=examples) as rig:
        flows, mailboxes, threepl, now = rig.flows, rig.mailboxes, rig.threepl, datetime.now(UTC)
        tell("the ERP's stock to the marketplaces", 1, steps)
        send_levels(flows.broker, rig.ports.erp, rig.config.item_map, location="MAIN")
        flows.settle(timeout_s=120)
        tell("buyer 850s over the mailbox", 1, steps)
        _buyer_850s(mailboxes[BUYER], rig.buyer, per["edi"], now)
        poll_folder(mailboxes[BUYER], BUYER, flows.sftp_sink, lock=flows.sftp_sink)
        tell("Shopify order webhooks", 2, steps)
        if per["shopify"]:
            _webhooks(rig.receiver.url, rig.market.url, per["shopify"])
        tell("Amazon and Walmart polls", 3, steps)
        for channel in ("amazon", "walmart"):
            poll_channel(rig.config, channel, flows, rig.work, now)
        tell("bad and repeated inputs", 4, steps)
        bad_inputs(mailboxes[BUYER], rig.buyer, rig.receiver.url, now)
        poll_folder(mailboxes[BUYER], BUYER, flows.sftp_sink, lock=flows.sftp_sink)
        tell("orders to the ERP and the 3PL", 5, steps)
        flows.settle(timeout_s=300)
        tell("cancellations and changes", 5, steps)
        _amendments(rig.market.url, rig.receiver.url, rig.market_state, mailboxes[BUYER], rig.buyer, per, now)
        for channel in ("amazon", "walmart"):
            poll_channel(rig.config, channel, flows, rig.work, now)
        poll_folder(mailboxes[BUYER], BUYER, flows.sftp_sink, lock=flows.sftp_sink)
        flows.settle(timeout_s=300)
        (mailboxes[BUYER] / "inbound" / "850_after_its_cancel.x12").write_bytes(
            render("850", buyer_order(EARLY), turned(rig.buyer), PartnerNumbers(431_000), now=now))
        poll_folder(mailboxes[BUYER], BUYER, flows.sftp_sink, lock=flows.sftp_sink)
        flows.settle(timeout_s=300)
        for round_no in range(FINAL_ROUNDS):
            tell(f"3PL round {round_no + 1}: 997s and 945s", 6 + round_no, steps)
            if threepl.answer(now + timedelta(hours=round_no + 1)):
                poll_folder(mailboxes[THREEPL], THREEPL, flows.sftp_sink, lock=flows.sftp_sink)
                flows.settle(timeout_s=300)
            if round_no == 0 and per["edi"] >= 3:  # a buyer cancels a PO whose goods already left
                _buyer_cancels(mailboxes[BUYER], rig.buyer, 2, now + timedelta(hours=1), "850_cancel_after_ship.x12")
                poll_folder(mailboxes[BUYER], BUYER, flows.sftp_sink, lock=flows.sftp_sink)
                flows.settle(timeout_s=300)
        tell("counting", steps, steps)
        summary = LifecycleSummary(orders=orders, workdir=rig.work, by_channel=per)
        summary.counts = count_run(rig.store, rig.erp, rig.market_state)
    return summary


def _buyer_850s(mailbox: Path, buyer: PartnerProfile, n: int, now: datetime) -> None:
    sends, numbers = turned(buyer), PartnerNumbers(300_000)
    for i in range(n):
        data = render("850", buyer_order(i), sends, numbers, now=now)
        (mailbox / "inbound" / f"850_PO-DEMO-{i + 1:05d}.x12").write_bytes(data)


def _webhooks(receiver: str, market: str, orders: int) -> None:
    body = {"url": receiver + "/webhooks/shopify", "secret": WEBHOOK_SECRET, "count": orders}
    with httpx.Client(base_url=market, timeout=60) as control:
        response = control.post("/_sim/webhooks", json=body)
        response.raise_for_status()
        refused = [d for d in response.json()["deliveries"] if d.get("status") != 200]
        if refused:
            raise RuntimeError(f"the receiver refused {len(refused)} of the simulator's webhooks: {refused[:3]}")


def poll_channel(config: Any, channel: str, flows: EmbeddedFlows, work: Path, now: datetime) -> None:
    poller, client = build_order_poller(config, channel, DEMO_ENV)
    state = PollStateFile(work / "rest" / f"poll-{channel}.json", channel)
    with client, state.exclusive():
        report = PollService(channel, poller, flows.webhook_sink, state, datetime(2020, 1, 1, tzinfo=UTC)).poll_once()
    if report.error is not None:
        raise RuntimeError(f"the {channel} poll failed: {report.error}")


def _buyer_cancels(mailbox: Path, buyer: PartnerProfile, n: int, at: datetime, name: str) -> None:
    """The buyer cancels its ``n``-th PO with an 850 whose BEG01 is 01 (cancellation)."""
    order = buyer_order(n).model_copy(update={"purpose": OrderPurpose.CANCELLATION, "updated_at": at})
    (mailbox / "inbound" / name).write_bytes(render("850", order, turned(buyer), PartnerNumbers(420_000 + n), now=at))


def _amendments(market: str, receiver: str, state: SimState, mailbox: Path, buyer: PartnerProfile,
                per: dict[str, int], now: datetime) -> None:  # fmt: skip
    """What customers and buyers do after ordering: a Shopify order cancelled and one changed (a line
    cut by one unit) by webhook, an Amazon and a Walmart order cancelled (seen by the next poll), a buyer's
    PO cancelled by an 850 (BEG01=01), and a cancellation that arrives before its order."""
    with httpx.Client(base_url=market, timeout=60) as control:
        def change(channel: str, order_id: str, **what: Any) -> None:
            control.post("/_sim/orders/change", json={"channel": channel, "order_id": order_id, **what}
                         ).raise_for_status()  # fmt: skip

        def webhook(topic: str, order_id: str) -> None:
            body = {"url": receiver + "/webhooks/shopify", "secret": WEBHOOK_SECRET, "topic": topic,
                    "order_id": order_id}  # fmt: skip
            control.post("/_sim/webhooks", json=body).raise_for_status()

        if per["shopify"] >= 1:
            cancelled = str(state.shopify[0]["id"])
            change("shopify", cancelled, cancel=True)
            webhook("orders/cancelled", cancelled)
        for order in state.shopify[1:]:  # the first with a line of two or more: one unit of it cut
            line = max(order["line_items"], key=lambda item: item["quantity"])
            if line["quantity"] >= 2:
                change("shopify", str(order["id"]), lines={str(line["id"]): line["quantity"] - 1})
                webhook("orders/updated", str(order["id"]))
                break
        if per["amazon"] >= 2:
            change("amazon", state.amazon[1]["AmazonOrderId"], cancel=True)
        if per["walmart"] >= 2:
            change("walmart", state.walmart[1]["purchaseOrderId"], cancel=True)
    if per["edi"] >= 2:
        _buyer_cancels(mailbox, buyer, 1, now + timedelta(minutes=30), "850_cancel.x12")
    # a cancellation that overtook its order: recorded, and the order that follows is never booked
    early = buyer_order(EARLY)
    cancel = early.model_copy(update={"purpose": OrderPurpose.CANCELLATION, "updated_at": now})
    (mailbox / "inbound" / "850_cancel_early.x12").write_bytes(
        render("850", cancel, turned(buyer), PartnerNumbers(430_000), now=now))


def bad_inputs(mailbox: Path, buyer: PartnerProfile, receiver: str, now: datetime) -> None:
    """What partners really send now and then: a file that is no X12, a PO for an item the ERP does not
    know, the same PO again in a new interchange, and a webhook that is no order."""
    inbound = mailbox / "inbound"
    (inbound / "850_truncated.x12").write_bytes(b"ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*CROSSD")
    unknown = buyer_order(0).model_copy(update={"external_id": "PO-DEMO-UNKNOWN-ITEM", "lines": [
        OrderLine(line_number="1", sku="NO-SUCH-SKU", quantity=Decimal(2), unit_price=Decimal("5.00"))]})  # fmt: skip
    sends = turned(buyer)
    (inbound / "850_unknown_item.x12").write_bytes(render("850", unknown, sends, PartnerNumbers(400_000), now=now))
    (inbound / "850_PO-DEMO-00001_again.x12").write_bytes(render("850", buyer_order(0), sends, PartnerNumbers(410_000),
                                                                 now=now))  # fmt: skip
    shot = WebhookShot(url=receiver + "/webhooks/shopify", secret=WEBHOOK_SECRET.encode())
    body, headers = signed_request(shot, {"id": 5_199_999_999, "line_items": [], "currency": "USD"})
    with httpx.Client(timeout=30) as client:
        client.post(shot.url, content=body, headers=headers).raise_for_status()


FINAL_STATES = {"shipped", "invoiced", "cancelled"}


def count_run(store: Store, erp: EmbeddedErp, market: SimState) -> dict[str, Any]:
    """The run's figures: from the store (the order book, the outbox, links, journal, exception items) and
    the simulators only. ``lost``: orders in no final state (shipped, invoiced, cancelled) with no open
    exception item about them."""
    census = take(store)
    waiting = open_item_keys(store)
    book = order_book(store)
    lost = sorted(f"{channel}:{order}" for (channel, order), held in book.items()
                  if held.state not in FINAL_STATES and order not in waiting)  # fmt: skip
    erp_counts = erp.counts()
    calls = market.snapshot()["received"]
    tracking = sum(len(calls.get(kind, [])) for kind in ("shopify.fulfillments", "amazon.shipment_confirmations",
                                                           "walmart.shipping_updates"))  # fmt: skip
    return {
        "orders_received": len(book),
        "erp_orders": erp_counts["sales_orders"],
        "edi_940_sent": census.sent.get("940", 0),
        "acks_reconciled": census.acks_reconciled,
        "shipments": erp_counts["shipments"],
        "invoices": erp_counts["invoices"],
        "tracking_updates": tracking,
        "cancellations": sum(1 for held in book.values() if held.cancelled),
        "inventory_updates": sum(len(calls.get(kind, [])) for kind in INVENTORY_CALLS),
        "duplicates": census.duplicates,
        "exceptions": census.open_items,
        "lost": len(lost),
        "orders_by_state": dict(sorted(Counter(held.state for held in book.values()).items())),
        "lost_orders": lost[:20],
    }
