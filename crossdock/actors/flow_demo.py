"""The business flows end to end on embedded defaults, no server to install:

* the in-memory broker with an in-process worker running the real flow steps,
* SQLite in a temporary folder (migrated on the spot),
* the ERP simulator served in-process on a loopback port, called through the hardened SOAP client,
* local folders standing in for the partners' SFTP mailboxes (``<workdir>/sftp/<partner>/...``),
* the bundled examples: the buyer's 850 (``examples/850_from_buyer.x12``), the 3PL's 945
  (``examples/945_from_3pl.x12``) and the partners' envelope profiles (``examples/partners/``).

What happens: the 850 is picked up, stored and enqueued; validated and acknowledged (997 to the buyer);
booked in the ERP; sent to the 3PL as a 940. The 945 is picked up, acknowledged, posted to the ERP
against that order, and the buyer gets an 856 ship notice. The buyer then re-sends the same 850: it is
recognised as a duplicate. The summary lists each hop of the order's trace, the files written, the ERP
calls and any exception work items.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossdock.actors.embedded import EmbeddedFlows
from crossdock.actors.embedded_erp import EmbeddedErp
from crossdock.actors.flow_config import flow_config_from_dict
from crossdock.actors.folder_intake import poll_folder
from crossdock.actors.intake import StoreInboundSink
from crossdock.actors.wiring import build_ports
from crossdock.bridges.sftp import PollReport
from crossdock.canonical import Order
from crossdock.edi.translate import translate
from crossdock.errors import ConfigError
from crossdock.settings import load_settings
from crossdock.store import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BUYER, THREEPL = "acme-retail", "northstar-3pl"
ITEM_MAP = {"CD-TEE-BLK-M": "ITEM-1", "CD-HOOD-GRY-L": "ITEM-2", "CD-SOCK-6PK": "ITEM-3"}
"""The example SKUs as the simulated ERP's item numbers."""


@dataclass
class DemoEvent:
    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class FlowDemoSummary:
    workdir: Path
    order: str
    events: list[DemoEvent] = field(default_factory=list)
    trace: list[dict[str, Any]] = field(default_factory=list)
    """The order's hops in time order: actor, queue, status, duration."""
    documents: list[str] = field(default_factory=list)
    """Every document linked to the order (ERP order, 940 control numbers, shipment, tracking ...)."""
    files: dict[str, list[str]] = field(default_factory=dict)
    """Outbound file names per partner."""
    erp_calls: dict[str, int] = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.erp_calls.get("CreateSalesOrder") == 1
            and self.erp_calls.get("PostShipment") == 1
            and any("_940_" in name for name in self.files.get(THREEPL, []))
            and any("_997_" in name for name in self.files.get(BUYER, []))
            and any("_856_" in name for name in self.files.get(BUYER, []))
            and not self.exceptions
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "workdir": str(self.workdir),
            "order": self.order,
            "events": [{"title": e.title, "lines": e.lines} for e in self.events],
            "trace": self.trace,
            "documents": self.documents,
            "files": self.files,
            "erp_calls": self.erp_calls,
            "exceptions": self.exceptions,
        }


def _poll(root: Path, partner: str, sink: StoreInboundSink) -> PollReport:
    """One poll of a local mailbox under its lock in the store (across hosts on PostgreSQL)."""
    return poll_folder(root, partner, sink, lock=sink)


@contextmanager
def _workdir(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="crossdock-demo-") as temp:
        yield Path(temp)


def _config(examples: Path, work: Path, endpoint: str) -> dict[str, Any]:
    return {
        "warehouse_partner": THREEPL,
        "warehouse_code": "COL1",
        "item_map": ITEM_MAP,
        "erp": {"endpoint": endpoint, "read_timeout_s": 10},
        "partners": [
            {"edi": str(examples / "partners" / f"{BUYER}.yaml"),
             "outbound_folder": str(work / "sftp" / BUYER / "outbound"), "erp_customer_no": "C30000"},
            {"edi": str(examples / "partners" / f"{THREEPL}.yaml"),
             "outbound_folder": str(work / "sftp" / THREEPL / "outbound"), "erp_location_code": "MAIN"},
        ],
    }  # fmt: skip


def _report(title: str, report: PollReport) -> DemoEvent:
    event = DemoEvent(title)
    event.lines += [f"accepted {name} (raw payload {ref})" for name, ref in report.accepted]
    event.lines += [f"duplicate {name}: {why}" for name, why in report.duplicates]
    event.lines += [f"rejected {name}: {why}" for name, why in report.rejected]
    return event


def run_demo(
    examples: Path = EXAMPLES,
    workdir: Path | None = None,
    *,
    order_file: Path | None = None,
    advice_file: Path | None = None,
) -> FlowDemoSummary:
    """Run the whole flow on embedded defaults; ``workdir`` keeps the state (default: a temp folder,
    removed afterwards). Returns what happened at each hop."""
    order_data = (order_file or examples / "850_from_buyer.x12").read_bytes()
    advice_data = (advice_file or examples / "945_from_3pl.x12").read_bytes()
    with _workdir(workdir) as work, EmbeddedErp() as erp:
        settings = load_settings(environ={"CROSSDOCK_DATA_DIR": str(work)})
        store = Store.from_settings(settings)
        store.upgrade()
        config = flow_config_from_dict(_config(examples, work, erp.endpoint), base=examples)
        ports = build_ports(config, store)
        mailboxes = {name: work / "sftp" / name for name in (BUYER, THREEPL)}
        for root in mailboxes.values():
            (root / "inbound").mkdir(parents=True, exist_ok=True)
        summary = FlowDemoSummary(workdir=work, order=_po_number(order_data))
        with EmbeddedFlows(settings, ports) as flows:
            (mailboxes[BUYER] / "inbound" / "850_from_buyer.x12").write_bytes(order_data)
            summary.events.append(
                _report("The buyer's 850 arrives", _poll(mailboxes[BUYER], BUYER, flows.sftp_sink))
            )
            flows.settle()
            (mailboxes[THREEPL] / "inbound" / "945_from_3pl.x12").write_bytes(advice_data)
            summary.events.append(
                _report("The 3PL's 945 arrives", _poll(mailboxes[THREEPL], THREEPL, flows.sftp_sink))
            )
            flows.settle()
            (mailboxes[BUYER] / "inbound" / "850_resent.x12").write_bytes(order_data)
            summary.events.append(
                _report("The buyer sends the same 850 again", _poll(mailboxes[BUYER], BUYER, flows.sftp_sink))
            )
            flows.settle()
        _collect(summary, Store.from_settings(settings), mailboxes, erp)
    return summary


def _po_number(data: bytes) -> str:
    """The PO number of the (first) 850 in ``data``: the key the summary traces."""
    for item in translate(data).sets:
        if isinstance(item.document, Order):
            return item.document.external_id
    raise ConfigError("the demo's order file holds no 850 crossdock can translate")


def _collect(summary: FlowDemoSummary, store: Store, mailboxes: dict[str, Path], erp: EmbeddedErp) -> None:
    try:
        trace = store.trace(summary.order)
        summary.trace = [
            {"actor": h.actor, "queue": h.queue, "status": str(h.status), "duration_ms": h.duration_ms,
             "started_at": h.started_at.isoformat()}
            for h in trace.hops
        ]  # fmt: skip
        summary.documents = [str(doc) for doc in trace.documents.documents]
        summary.exceptions = [f"#{w.id} {w.owner}: {w.error_message}" for w in store.exceptions.items()]
    finally:
        store.close()
    summary.files = {
        name: sorted(p.name for p in (root / "outbound").iterdir() if not p.name.startswith("."))
        for name, root in mailboxes.items()
        if (root / "outbound").exists()
    }
    summary.erp_calls = erp.calls()
