"""A Walmart return end to end on PostgreSQL, against the ERP simulator over SOAP and the marketplace
simulator over HTTP, with the 3PL's folder: the polled return order is authorized in the ERP and
announced to the 3PL (a 180 that validates); the 3PL's 180 receipt credits it in the ERP, records the
inventory and refunds it on Walmart. Every message delivered again changes nothing: one RMA, one 180,
one credit memo, one refund. ``crossdock returns show`` and ``list`` then tell the story."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from crossdock.actors.flows import call
from crossdock.actors.graph import EDI_INBOUND, MARKETPLACE_INBOUND, RETURNS_APPLY
from crossdock.actors.handlers import delivery
from crossdock.actors.handlers.outbound import FolderOutbound
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.steps import Outgoing
from crossdock.bridges.rest.walmart_returns import WalmartReturns
from crossdock.canonical import Envelope
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.finance.returns_flow import ReturnPolicy
from crossdock.canonical.inbound import InboundPayload, OutboxDelivery
from crossdock.edi.partners import load_partner_profile
from crossdock.edi.reader import read_transaction_sets
from crossdock.edi.validate import validate
from crossdock.store import Store
from crossdock.store.returns_book import ReturnsBook
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway
from tests.fixtures.marketplace import RunningSim

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
ITEM_MAP = {"WIDGET-RED": "ITEM-1", "WIDGET-BLUE": "ITEM-2", "GADGET-XL": "ITEM-3", "MUG-11OZ": "ITEM-5",
            "TEE-M-BLK": "ITEM-1"}  # fmt: skip
AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


@pytest.fixture
def erp_db(tmp_path: Path) -> Iterator[tuple[ErpSimServer, Path]]:
    path = tmp_path / "erp.db"
    server = ErpSimServer(database=path).start()
    try:
        yield server, path
    finally:
        server.stop()


def posted(path: Path, kind: str) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT document_no FROM posted_document WHERE kind = ?", (kind,))]


def envelope(key: str) -> Envelope:
    return Envelope(idempotency_key=key, source="test", document_type="inbound_payload", created_at=AT)


def run(ports: FlowPorts, outgoing: list[Outgoing], seen: list[Outgoing]) -> None:
    """What the worker does with each message sent on: ``returns.apply`` for a return event, then the
    outbox deliveries after the commit. ``seen`` keeps every message (to deliver them all again)."""
    for out in outgoing:
        seen.append(out)
        if isinstance(out.document, OutboxDelivery):
            delivery.deliver(ports, out.document.outbox_id)
        elif isinstance(out.document, ReturnEventDocument):
            run(ports, call(ports, RETURNS_APPLY, envelope(out.idempotency_key), out.document), seen)


def stored(store: Store, data: bytes, source: str, name: str) -> InboundPayload:
    ref = store.raw.put_once(data, source=source, name=name)
    return InboundPayload(payload_id=ref.id, source=source, name=name, sha256=ref.sha256, size=ref.size)


def receipt(rma: str, lines: list[tuple[str, int, str]]) -> bytes:
    """The 3PL's 180: what it received of ``rma``, each line with its RDR disposition code."""
    body = [f"BGN*00*{rma}*20261126*1015*UT", *(f"BLI*SK*{sku}*{qty}*EA~RDR*{code}" for sku, qty, code in lines)]
    segments = "~".join(body).split("~")
    return ("~".join([
        "ISA*00*          *00*          *ZZ*NORTHSTAR3PL   *ZZ*CROSSDOCK      *261126*1015*U*00401*000007501*0*P*>",
        "GS*AN*NORTHSTAR3PL*CROSSDOCK*20261126*1015*7501*X*004010", "ST*180*0001", *segments,
        f"SE*{len(segments) + 2}*0001", "GE*1*7501", "IEA*1*000007501",
    ]) + "~").encode()  # fmt: skip


def test_a_walmart_return_end_to_end_once(
    store: Store, erp_db: tuple[ErpSimServer, Path], marketplace_sim: RunningSim, migrated_db_url: str, tmp_path: Path
) -> None:
    server, erp_path = erp_db
    profile = load_partner_profile((ROOT / "examples" / "partners" / "northstar-3pl.yaml").read_bytes())
    folder = tmp_path / "out" / "northstar-3pl"
    ports = FlowPorts(
        store=store, erp=erp_gateway(server), warehouse_partner="northstar-3pl", item_map=ITEM_MAP,
        partners=(TradingPartner(profile, FolderOutbound(folder, "northstar-3pl"), erp_location_code="MAIN"),),
        channel_customers={"walmart": "C20000"}, returns=ReturnPolicy(erp_authorization=True, warehouse_notice=True),
        refunds={"walmart": WalmartReturns(marketplace_sim.client("walmart"))},
    )  # fmt: skip
    order = marketplace_sim.state.walmart_returns[0]
    rma = f"WM-{order['returnOrderId']}"
    line = order["returnOrderLines"][0]
    sku, quantity = line["item"]["sku"], int(line["quantity"]["measurementValue"])
    seen: list[Outgoing] = []

    # Given the polled return order, as `crossdock rest poll --channel walmart --returns` stores it
    polled = stored(store, json.dumps(order).encode(), "poll:walmart", f"order:return-{order['returnOrderId']}")
    run(ports, call(ports, MARKETPLACE_INBOUND, envelope("k-poll"), polled), seen)
    # Then the ERP has its return authorization and the 3PL a 180 that says what to expect
    assert len(posted(erp_path, "return_authorization")) == 1
    [notice] = sorted(folder.iterdir())
    assert validate(notice.read_bytes()).valid
    (ts,) = read_transaction_sets(notice.read_bytes())
    assert ["BLI", "SK", sku, str(quantity), "EA"] in [seg.elements for seg in ts.segments]

    # When the 3PL's receipt arrives: one unit back to stock, the rest damaged
    codes = [(sku, 1, "RA")] + ([(sku, quantity - 1, "KR")] if quantity > 1 else [])
    inbound = stored(store, receipt(rma, codes), "sftp:northstar-3pl", "180-in.x12")
    run(ports, call(ports, EDI_INBOUND, envelope("k-180"), inbound), seen)

    # Then one credit memo, the inventory recorded, the refund issued on Walmart
    with store.db.read() as s:
        [record] = ReturnsBook.records(s, rma_number=rma)
        moves = ReturnsBook.adjustments(s, f"return:walmart:{rma}")
    state = record.state
    assert record.status == "credited" and state.credit_memo_no in posted(erp_path, "credit_memo")
    assert state.erp_rma_no == posted(erp_path, "return_authorization")[0]
    assert ("available" in {where for _, where, _ in moves}) and sum(q for _, _, q in moves) == quantity
    unit = Decimal(str(line["unitPrice"]["currencyAmount"]))
    assert state.refunds == ((f"walmart:{order['returnOrderId']}", -unit * quantity),)
    assert len(marketplace_sim.state.received["walmart.refunds"]) == 1

    # When every message is delivered again
    for out in list(seen):
        run(ports, [out], [])
    run(ports, call(ports, MARKETPLACE_INBOUND, envelope("k-poll"), polled), [])
    # Then nothing more happened anywhere
    assert len(posted(erp_path, "return_authorization")) == 1 and len(posted(erp_path, "credit_memo")) == 1
    assert [p.name for p in folder.iterdir() if b"ST*180" in p.read_bytes()] == [notice.name]
    assert len(marketplace_sim.state.received["walmart.refunds"]) == 1
    with store.db.read() as s:
        assert ReturnsBook.adjustments(s, f"return:walmart:{rma}") == moves

    # And the operator reads it with `crossdock returns`
    shown = _crossdock("returns", "show", rma, "--json", url=migrated_db_url)
    assert shown.returncode == 0, shown.stderr
    detail: dict[str, Any] = json.loads(shown.stdout)
    assert detail["status"] == "credited" and detail["credit_memo_no"] == state.credit_memo_no
    assert [e["event"] for e in detail["events"]] == ["authorized", "refunded", "received"]
    assert detail["items"][0]["sku"] == sku and detail["refund_confirmed"] == f"walmart:{order['returnOrderId']}"
    listed = _crossdock("returns", "list", "--status", "credited", "--json", url=migrated_db_url)
    assert listed.returncode == 0 and [r["rma_number"] for r in json.loads(listed.stdout)["returns"]] == [rma]
    missing = _crossdock("returns", "show", "WM-0", url=migrated_db_url)
    assert missing.returncode == 1 and "no return WM-0" in missing.stdout


def _crossdock(*args: str, url: str, config_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": url}
    env.pop("CROSSDOCK_CONFIG", None)
    env.pop("CROSSDOCK_BROKER_URL", None)
    if config_dir is not None:
        env["CROSSDOCK_CONFIG_DIR"] = str(config_dir)
    return subprocess.run([sys.executable, "-m", "crossdock", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def test_the_amazon_returns_report_imported_twice_authorizes_once(
    migrated_db_url: str, erp_db: tuple[ErpSimServer, Path], tmp_path: Path
) -> None:
    server, erp_path = erp_db
    (tmp_path / "flows.yaml").write_text(
        f"warehouse_partner: northstar-3pl\nerp: {{endpoint: '{server.endpoint}', read_timeout_s: 10}}\n"
        f"partners:\n  - edi: {ROOT / 'examples' / 'partners' / 'northstar-3pl.yaml'}\n"
        f"    outbound_folder: {tmp_path / 'out'}\n    erp_location_code: MAIN\n"
        "item_map: {CD-TEE-BLK-M: ITEM-1, CD-MUG-4: ITEM-3, CD-THROW-GRY: ITEM-5}\n"
        "channel_customers: {amazon: C20000}\n"
    )
    report = str(ROOT / "tests" / "data" / "returns" / "amazon_returns_report.tsv")
    first = _crossdock("returns", "import", report, "--channel", "amazon", "--json", url=migrated_db_url,
                       config_dir=tmp_path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["how"] == "applied"
    again = _crossdock("returns", "import", report, url=migrated_db_url, config_dir=tmp_path)
    assert again.returncode == 0 and "3 returns, 4 events applied" in again.stdout, again.stderr
    # two authorized returns: two ERP RMAs and two 180s, however often the report comes; the rejected one neither
    assert len(posted(erp_path, "return_authorization")) == 2
    assert len([p for p in (tmp_path / "out").iterdir() if b"ST*180" in p.read_bytes()]) == 2
    listed = _crossdock("returns", "list", "--channel", "amazon", "--json", url=migrated_db_url)
    statuses = {r["rma_number"]: r["status"] for r in json.loads(listed.stdout)["returns"]}
    assert statuses == {"AZ-DwRKPJtxRRMA": "refunded_awaiting_receipt", "AZ-DvRKQKtxRRMA": "awaiting_receipt",
                        "AZ-DxRKRLtxRRMA": "rejected"}  # fmt: skip
