"""The poll service around a poller: state saved per page, failures reported (never raised), a stop
honoured between pages. The poller here is a fake that pages through a fixed list of orders with the
real ``hand_page``; the adapters themselves are tested against the simulator (tests/integration)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crossdock.bridges.rest.poll_service import PollRound, PollService
from crossdock.bridges.rest.poll_state_file import PollStateFile
from crossdock.bridges.rest.polling import Checkpoint, PolledOrder, PollState, hand_page
from crossdock.bridges.rest.sink import InMemorySink, RawSink
from crossdock.errors import ConfigError, TransientError

T0 = datetime(2026, 11, 1, tzinfo=UTC)
ORDERS = [PolledOrder(f"PO-{i}", T0 + timedelta(minutes=i), {"id": i}) for i in range(1, 8)]


@dataclass
class PagedPoller:
    """Pages of 3 over ORDERS created at or after the watermark; the cursor is the next offset."""

    fail_on_page: int | None = None
    on_page: list[int] = field(default_factory=list)

    def poll_orders(
        self, sink: RawSink, state: PollState, *, checkpoint: Checkpoint | None = None, max_pages: int = 1000
    ) -> PollState:
        offset = int(state.cursor or 0)
        pending = [o for o in ORDERS if o.updated >= state.watermark] if state.cursor is None else ORDERS
        for _ in range(max_pages):
            page_number = offset // 3
            self.on_page.append(page_number)
            if page_number == self.fail_on_page:
                self.fail_on_page = None
                raise TransientError("marketplace 503 on GET /orders")
            page = pending[offset : offset + 3]
            offset += 3
            cursor = str(offset) if offset < len(pending) else None
            state, _ = hand_page(sink, "walmart", state, page, cursor)
            if checkpoint is not None:
                checkpoint(state)
            if cursor is None:
                return state
        raise AssertionError("bounded")


def service(tmp_path: Path, poller: PagedPoller, sink: RawSink, stop: threading.Event | None = None) -> PollService:
    return PollService("walmart", poller, sink, PollStateFile(tmp_path / "poll.json", "walmart"), T0, stop=stop)


def test_a_failed_poll_is_reported_and_the_next_resumes_from_the_saved_page(tmp_path: Path) -> None:
    # Given a marketplace that fails on the second page once
    sink = InMemorySink()
    poller = PagedPoller(fail_on_page=1)
    polls = service(tmp_path, poller, sink)
    # When the service polls
    first = polls.poll_once()
    # Then the failure is a report, not an exception, and page 1 is saved
    assert first.error == "TransientError: marketplace 503 on GET /orders" and not first.caught_up
    assert first.handed == 3 and first.state.cursor == "3"
    # And the next poll (a new process: state from the file) hands over the rest, each order once
    second = service(tmp_path, poller, sink).poll_once()
    assert second.caught_up and second.handed == 4
    assert sorted(sink.bodies()) == sorted(f'{{"id":{i}}}'.encode() for i in range(1, 8))
    assert service(tmp_path, poller, sink).poll_once().handed == 0


def test_a_stop_request_ends_the_poll_after_the_page_in_hand(tmp_path: Path) -> None:
    stop = threading.Event()
    sink = InMemorySink()

    class StopAfterFirstPage(InMemorySink):
        def enqueue(self, ref: str) -> None:
            super().enqueue(ref)
            stop.set()

    stopping = StopAfterFirstPage()
    report = service(tmp_path, PagedPoller(), stopping, stop).poll_once()
    assert report.stopped and report.handed == 3 and report.state.cursor == "3"
    assert service(tmp_path, PagedPoller(), sink).poll_once().handed == 4


def test_run_polls_until_stopped_and_a_corrupt_state_is_a_config_error(tmp_path: Path) -> None:
    stop = threading.Event()
    rounds: list[PollRound] = []

    def on_round(report: PollRound) -> None:
        rounds.append(report)
        if len(rounds) == 3:
            stop.set()

    assert service(tmp_path, PagedPoller(), InMemorySink(), stop).run(0.01, on_round) == 3
    assert [r.handed for r in rounds] == [7, 0, 0]
    (tmp_path / "poll.json").write_text("{")
    with pytest.raises(ConfigError, match=r"poll\.json is unreadable"):
        service(tmp_path, PagedPoller(), InMemorySink()).run(0.01, rounds.append, max_polls=1)
