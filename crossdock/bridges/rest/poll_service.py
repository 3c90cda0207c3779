"""An order poller run as a service: load the saved state, poll until caught up (saving the state
after each page is in the sink), sleep, again, until asked to stop.

A failed poll (marketplace down, rate limited past the client's retries, a page that does not map,
the database or the broker away) is logged and reported, and the next poll starts again from the
last saved page; it never ends the service. Only a configuration problem does (a state file that
cannot be read or saved: polling on without a checkpoint would hand the same pages over and over).
A stop request is honoured between pages and during the sleep: the page in hand is finished and
saved first, so a stopped poll resumes at the next page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock.bridges.rest.metrics import PollMetrics
from crossdock.bridges.rest.poll_state_file import PollStateFile
from crossdock.bridges.rest.polling import OrderPoller, PollState
from crossdock.bridges.rest.sink import RawSink
from crossdock.errors import ConfigError, CrossdockError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollRound:
    """What one poll did: orders handed to the sink, the state it ended at, and why it ended early."""

    channel: str
    handed: int
    state: PollState
    error: str | None = None
    stopped: bool = False

    @property
    def caught_up(self) -> bool:
        return self.error is None and not self.stopped and self.state.cursor is None

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "handed": self.handed, "caught_up": self.caught_up,
                "error": self.error, "stopped": self.stopped, **self.state.to_json()}  # fmt: skip


class _StopRequestedError(Exception):
    pass


class _CountingSink:
    """Passes each payload on to ``sink`` and counts those enqueued."""

    def __init__(self, sink: RawSink) -> None:
        self.sink = sink
        self.handed = 0

    def store_raw(self, channel: str, body: bytes, headers: Mapping[str, str]) -> str:
        return self.sink.store_raw(channel, body, headers)

    def enqueue(self, ref: str) -> None:
        self.sink.enqueue(ref)
        self.handed += 1


class PollService:
    def __init__(
        self,
        channel: str,
        poller: OrderPoller,
        sink: RawSink,
        state_file: PollStateFile,
        start: datetime,
        *,
        stop: threading.Event | None = None,
        metrics: PollMetrics | None = None,
    ) -> None:
        """``start``: where a first poll starts, when ``state_file`` holds no state yet. ``metrics``:
        where each poll's outcome is counted (the poller lag, :mod:`crossdock.bridges.rest.metrics`)."""
        self.channel = channel
        self.poller = poller
        self.sink = sink
        self.state_file = state_file
        self.start = start
        self.stop = stop or threading.Event()
        self.metrics = metrics or PollMetrics()

    def poll_once(self) -> PollRound:
        """Poll until caught up (or failed, or stopped); the state is saved after every page."""
        found = self._poll()
        outcome = "caught_up" if found.caught_up else "stopped" if found.stopped else "failed"
        self.metrics.polled(self.channel, handed=found.handed, outcome=outcome, watermark=found.state.watermark)
        return found

    def _poll(self) -> PollRound:
        state = self.state_file.load() or PollState(self.start)
        self.metrics.started(self.channel, state.watermark)
        counting = _CountingSink(self.sink)
        saved = [state]

        def checkpoint(new: PollState) -> None:
            self.state_file.save(new)
            saved.append(new)
            if self.stop.is_set() and new.cursor is not None:
                raise _StopRequestedError

        try:
            state = self.poller.poll_orders(counting, state, checkpoint=checkpoint)
        except _StopRequestedError:
            return PollRound(self.channel, counting.handed, saved[-1], stopped=True)
        except ConfigError:
            raise
        except Exception as exc:  # a service outlives any one poll: logged, retried on the next
            reason = _describe(exc)
            if isinstance(exc, CrossdockError):
                log.warning("%s poll failed after %d new orders: %s; the next poll resumes from the last saved page",
                            self.channel, counting.handed, reason)  # fmt: skip
            else:
                log.error("%s poll failed after %d new orders: %s", self.channel, counting.handed, reason)
                log.debug("%s poll failure", self.channel, exc_info=exc)
            return PollRound(self.channel, counting.handed, saved[-1], error=reason)
        return PollRound(self.channel, counting.handed, state)

    def run(
        self, interval_s: float, on_round: Callable[[PollRound], None], *, max_polls: int | None = None
    ) -> int:
        """Poll, report, sleep ``interval_s``; until ``stop`` is set or after ``max_polls``. Returns the
        number of polls made."""
        polls = 0
        while not self.stop.is_set():
            on_round(self.poll_once())
            polls += 1
            if max_polls is not None and polls >= max_polls:
                break
            self.stop.wait(interval_s)
        return polls


def _describe(exc: Exception) -> str:
    """The error's class and first line: a database driver's error carries its statement's parameters
    (payload content) on later lines, and those are not for the log."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:300] if lines else ''}".rstrip(": ")
