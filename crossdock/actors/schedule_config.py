"""The ``schedule:`` section of flows.yaml: the periodic jobs ``crossdock scheduler run`` runs.

Each entry names a job, its target and when it runs, ``every`` (``90s``, ``5m``, ``1h``, ``1d``: slots
aligned to the epoch, so every scheduler host computes the same ones) or ``cron`` (five fields, UTC)::

    schedule:
      - {job: sftp-poll, partner: northstar-3pl, every: 1m}     # the partner's SFTP inbox, --enqueue
      - {job: marketplace-poll, channel: amazon, every: 5m}     # as `crossdock rest poll --once`
      - {job: sla-overdue, cron: "*/15 * * * *"}                # a work item per overdue document (sla:)
      - {job: acks-overdue, hours: 24, cron: "0 * * * *"}       # the same for 997s alone, after HOURS
      - {job: prune, older_than_days: 30, cron: "30 3 * * *"}   # as `crossdock db prune`
      - {job: erp-inventory-pull, every: 15m}                   # as `crossdock inventory pull`
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Literal

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import BaseModel, ConfigDict, Field, model_validator

JobKind = Literal["sftp-poll", "marketplace-poll", "sla-overdue", "acks-overdue", "prune", "erp-inventory-pull"]

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_EVERY = re.compile(r"^(\d{1,6})(s|m|h|d)$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def parse_every(text: str) -> timedelta:
    """``90s``, ``5m``, ``1h``, ``1d`` → a period of at least one second."""
    match = _EVERY.match(text.strip())
    if match is None:
        raise ValueError(f"every: {text!r} is not a period like 90s, 5m, 1h or 1d")
    seconds = int(match.group(1)) * _UNIT_S[match.group(2)]
    if seconds < 1:
        raise ValueError("every: the period must be at least 1s")
    return timedelta(seconds=seconds)


def cron_trigger(expression: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(expression, timezone=UTC)
    except ValueError as exc:
        raise ValueError(f"cron: {expression!r} is not a five-field cron expression ({exc})") from exc


class ScheduledJob(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    job: JobKind
    every: str | None = Field(default=None, description="A period: 90s, 5m, 1h, 1d (aligned to the epoch).")
    cron: str | None = Field(default=None, description="A five-field cron expression, in UTC.")
    partner: str | None = Field(default=None, description="sftp-poll: the partner (its X12 profile's name).")
    channel: Literal["amazon", "walmart"] | None = Field(default=None, description="marketplace-poll: the channel.")
    hours: float = Field(default=24.0, gt=0, le=24 * 90, description="acks-overdue: a group is overdue after this.")
    older_than_days: int = Field(default=30, ge=1, le=3650, description="prune: delete what is older than this.")

    @model_validator(mode="after")
    def _consistent(self) -> ScheduledJob:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"{self.job}: give exactly one of every or cron")
        if self.every is not None:
            parse_every(self.every)
        if self.cron is not None:
            cron_trigger(self.cron)
        if (self.job == "sftp-poll") != (self.partner is not None):
            raise ValueError("partner is for sftp-poll, and sftp-poll needs one")
        if (self.job == "marketplace-poll") != (self.channel is not None):
            raise ValueError("channel is for marketplace-poll, and marketplace-poll needs one")
        return self

    @property
    def name(self) -> str:
        """The job's name in runs, logs and ``scheduler run-job``: ``sftp-poll:northstar-3pl``."""
        target = self.partner or self.channel
        return f"{self.job}:{target}" if target else self.job

    def trigger(self) -> BaseTrigger:
        if self.cron is not None:
            return cron_trigger(self.cron)
        assert self.every is not None
        return IntervalTrigger(seconds=parse_every(self.every).total_seconds(), start_date=EPOCH, timezone=UTC)


def check_unique(jobs: list[ScheduledJob]) -> None:
    seen: set[str] = set()
    for job in jobs:
        if job.name in seen:
            raise ValueError(f"schedule: {job.name} is listed twice")
        seen.add(job.name)
