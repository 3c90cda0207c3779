"""The flow steps crossdock's worker declares. The lead wires business flows here as the bridges and
translators land; each entry is a :class:`~crossdock.actors.steps.FlowStep`."""

from __future__ import annotations

from crossdock.actors.steps import FlowStep

STEPS: tuple[FlowStep, ...] = ()
