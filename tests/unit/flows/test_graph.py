"""The flow graph in code: checked when the actors are declared, enforced when a step runs, printed by
``crossdock flows graph``, and the source of docs/flows.md's table of steps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from dramatiq.brokers.stub import StubBroker
from typer.testing import CliRunner

from crossdock.actors import graph, graph_text
from crossdock.actors.context import StepContext
from crossdock.actors.flows import flow_steps
from crossdock.actors.graph import FLOWS, Graph, GraphError, Step
from crossdock.actors.steps import FlowStep, Outgoing, StepInputError, bind, declare_steps, run_step
from crossdock.broker import codec
from crossdock.broker.lanes import Lane
from crossdock.broker.setup import build_broker
from crossdock.canonical import Envelope, InventoryLevel
from crossdock.canonical.inbound import OutboxDelivery
from crossdock.canonical.registry import DOCUMENTS, document_type_of
from crossdock.cli import app
from crossdock.settings import load_settings
from tests.conftest import ROOT

FIRST = Step("test.first", Lane.INVENTORY, InventoryLevel)
SECOND = Step("test.second", Lane.INVENTORY, InventoryLevel)
ELSEWHERE = Step("test.elsewhere", Lane.INVENTORY, InventoryLevel)


def nothing(ctx: StepContext, document: Any) -> None:
    return None


def level(sku: str = "SKU-1") -> InventoryLevel:
    return InventoryLevel(sku=sku, location="WH1", on_hand=Decimal(5), available=Decimal(4), as_of=datetime.now(UTC))


def wire(document: Any, document_type: str) -> str:
    return codec.encode(Envelope(idempotency_key="k-1", source="test", document_type=document_type), document)


@pytest.fixture
def broker() -> Iterator[StubBroker]:
    built = build_broker(load_settings(environ={}), metrics=False)
    assert isinstance(built, StubBroker)
    yield built
    built.close()


def test_every_step_of_the_graph_gets_its_handler_and_its_edges() -> None:
    ports: Any = SimpleNamespace(store=None)  # flow_steps only binds the ports to the handlers
    declared = flow_steps(ports)
    assert [s.step for s in declared] == list(FLOWS.steps)
    assert all(s.sends == frozenset(FLOWS.sends(s.step)) for s in declared)
    assert {s.name: s.lane for s in declared}[graph.ORDERS_TO_ERP.name] is Lane.ERP


def test_an_edge_to_an_undeclared_step_fails_when_the_actors_are_declared(broker: StubBroker) -> None:
    # Given a graph whose first step sends to a step the graph does not declare
    broken = Graph({FIRST: (SECOND, ELSEWHERE), SECOND: ()})
    # When its steps are bound, Then the graph is refused, naming both steps
    with pytest.raises(GraphError, match=re.escape("test.first sends to test.elsewhere, not a declared step")):
        bind(broken, [FlowStep(FIRST, nothing), FlowStep(SECOND, nothing)])
    # And a step that may send to a step not declared with it is refused by declare_steps
    lonely = FlowStep(FIRST, nothing, sends=frozenset({SECOND}))
    with pytest.raises(GraphError, match=re.escape("test.first may send to test.second, not declared")):
        declare_steps(broker, [lonely])
    assert broker.actors == {}  # nothing was declared


def test_a_step_without_a_handler_or_a_handler_outside_the_graph_is_refused() -> None:
    small = Graph({FIRST: (SECOND,), SECOND: ()})
    with pytest.raises(GraphError, match=re.escape("steps without a handler: test.second")):
        bind(small, [FlowStep(FIRST, nothing)])
    with pytest.raises(GraphError, match=re.escape("handlers for steps not in the graph: test.elsewhere")):
        bind(small, [FlowStep(FIRST, nothing), FlowStep(SECOND, nothing), FlowStep(ELSEWHERE, nothing)])
    with pytest.raises(GraphError, match=re.escape("two handlers: test.second")):
        bind(small, [FlowStep(FIRST, nothing), FlowStep(SECOND, nothing), FlowStep(SECOND, nothing)])


def test_a_document_that_is_not_the_steps_input_class_is_refused_before_the_handler_runs() -> None:
    called: list[object] = []
    step = FlowStep(graph.ORDERS_TO_ERP, lambda ctx, document: called.append(document))
    refused = "step orders.to_erp takes order (Order), got inventory_level (InventoryLevel)"
    with pytest.raises(StepInputError, match=re.escape(refused)):
        run_step(step, wire(level(), "inventory_level"), lambda *_: None)
    assert called == []


def test_an_outgoing_to_a_step_outside_the_senders_edges_raises_and_sends_nothing() -> None:
    sent: list[str] = []

    def handler(ctx: StepContext, document: InventoryLevel) -> list[Outgoing]:
        return [Outgoing(SECOND, level("A"), "k-a"), Outgoing(ELSEWHERE, level("B"), "k-b")]

    step = FlowStep(FIRST, handler, sends=frozenset({SECOND}))
    edges = "test.first sent to test.elsewhere, which is not one of its edges (test.second)"
    with pytest.raises(GraphError, match=re.escape(edges)):
        run_step(step, wire(level(), "inventory_level"), lambda name, *_: sent.append(name))
    assert sent == []


def test_an_outgoing_takes_its_document_type_from_the_documents_class() -> None:
    out = Outgoing(graph.OUTBOX_DELIVER, OutboxDelivery(outbox_id=3), "outbox:3")
    assert out.document_type == "outbox_delivery"
    with pytest.raises(TypeError, match=re.escape("orders.to_erp takes Order, not OutboxDelivery")):
        Outgoing(graph.ORDERS_TO_ERP, OutboxDelivery(outbox_id=3), "k")
    assert all(document_type_of(cls) == name for name, cls in DOCUMENTS.items())
    with pytest.raises(KeyError, match=re.escape("not a registered canonical document")):
        document_type_of(type("Unregistered", (InventoryLevel,), {}))


def test_no_handler_names_a_step_by_a_string() -> None:
    names = {step.name for step in FLOWS.steps}
    for source in (ROOT / "crossdock" / "actors" / "handlers").glob("*.py"):
        literals = set(re.findall(r"""["']([a-z_]+\.[a-z_]+)["']""", source.read_text()))
        assert not literals & names, f"{source.name} names steps as strings: {sorted(literals & names)}"


def test_the_docs_table_of_steps_is_the_one_the_graph_makes() -> None:
    doc = (ROOT / "docs" / "flows.md").read_text(encoding="utf-8")
    assert graph_text.table_in(doc) == graph_text.markdown(FLOWS), (
        "docs/flows.md is out of date: run `crossdock flows graph --format markdown --write docs/flows.md`"
    )


def test_flows_graph_prints_every_step_and_edge_as_mermaid() -> None:
    result = CliRunner().invoke(app, ["flows", "graph"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("flowchart LR\n")
    for step in FLOWS.steps:
        assert f'["{step.name}<br/>takes {step.document_type}' in result.output
        for target in FLOWS.sends(step):
            node = {s: s.name.replace(".", "_") for s in FLOWS.steps}
            assert f"    {node[step]} -- {target.document_type} --> {node[target]}\n" in result.output


def test_flows_graph_writes_the_table_between_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "flows.md"
    doc.write_text(f"# Flows\n\n{graph_text.TABLE_BEGIN}\n| old |\n{graph_text.TABLE_END}\n\nafter\n")
    result = CliRunner().invoke(app, ["flows", "graph", "--format", "markdown", "--write", str(doc)])
    assert result.exit_code == 0, result.output
    text = doc.read_text()
    assert "| old |" not in text and text.endswith(f"{graph_text.TABLE_END}\n\nafter\n")
    assert graph_text.table_in(text) == graph_text.markdown(FLOWS)
    # A file without the markers is left alone: one line, exit 2
    (tmp_path / "other.md").write_text("no markers\n")
    result = CliRunner().invoke(app, ["flows", "graph", "--write", str(tmp_path / "other.md")])
    assert result.exit_code == 2 and "markers are missing" in result.output
    assert (tmp_path / "other.md").read_text() == "no markers\n"
