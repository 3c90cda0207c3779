"""``crossdock reprocess`` publishes to each flow's first step on the queue the worker declares it on."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from crossdock.actors.flows import flow_steps
from crossdock.actors.reprocess import FIRST_STEP_LANES, FIRST_STEPS, ReprocessError, attempt_key, first_step
from crossdock.store import RawRef


def test_first_steps_run_on_the_lanes_the_worker_declares() -> None:
    ports: Any = SimpleNamespace(store=None)  # flow_steps only binds the ports to the handlers
    declared = {step.name: step.lane for step in flow_steps(ports)}
    assert {name: declared[name] for name in FIRST_STEP_LANES} == FIRST_STEP_LANES
    assert set(FIRST_STEPS.values()) == set(FIRST_STEP_LANES)


def ref(source: str) -> RawRef:
    from datetime import UTC, datetime

    return RawRef(id=7, sha256="0" * 64, source=source, name="x", size=1, received_at=datetime.now(UTC))


def test_a_payload_reprocesses_from_the_first_step_of_its_source() -> None:
    assert first_step(ref("sftp:acme-retail")) == "edi.inbound"
    assert first_step(ref("webhook:shopify")) == "marketplace.inbound"
    assert first_step(ref("poll:amazon")) == "marketplace.inbound"
    with pytest.raises(ReprocessError, match="no flow starts from it"):
        first_step(ref("dlq:orders"))


def test_a_reprocess_gets_a_fresh_first_step_key() -> None:
    first, second = attempt_key(7, [], "edi.inbound"), attempt_key(7, [], "edi.inbound")
    assert first != second and first.startswith("raw-payload:7:reprocess:")
