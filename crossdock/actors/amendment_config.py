"""``amendments:`` in flows.yaml: per channel, how cancellations and changes are applied.

::

    amendments:
      shopify: {window_h: 24}                   # later than 24 h after the order was placed: a person decides
      edi: {after_release: exception}           # buyers' POs already sent to the 3PL: a person decides

``window_h`` (default: none) is measured from the order's placement (``ordered_at``, else when crossdock
first saw it) to the amendment's as-of time; ``after_release`` is ``automatic`` (the default: ERP cancel /
change and a 940 cancel / change to the 3PL) or ``exception`` (an exception item for customer service,
nothing sent). Channels: ``edi`` (buyers' POs), ``shopify``, ``amazon``, ``walmart``. See docs/lifecycle.md.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from crossdock.canonical.lifecycle import AfterRelease, AmendPolicy

AMENDMENT_CHANNELS = ("edi", "shopify", "amazon", "walmart")


class AmendmentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window_h: float | None = Field(default=None, gt=0, le=24 * 365, description="Hours after placement.")
    after_release: AfterRelease = Field(default=AfterRelease.AUTOMATIC, description="automatic or exception.")

    def policy(self) -> AmendPolicy:
        window = timedelta(hours=self.window_h) if self.window_h is not None else None
        return AmendPolicy(window=window, after_release=self.after_release)
