"""Deadlines for the next expected document: what crossdock sent (a 940, an 856, a shipment posted)
and did not hear back about in time (the 997, the 945, the marketplace's confirmation, the invoice).

Read from the outbox and the document links, never from a bookkeeping of its own. Public surface:

- kinds: :data:`KINDS`, :class:`Kind`, :class:`Waiting`
- deadlines: :class:`Deadlines`, :data:`DEFAULT`, :data:`DEFAULT_HOURS`, :func:`acknowledgments_after`
- the check: :func:`overdue_documents`, :func:`open_work_items`, :class:`Overdue`
"""

from crossdock.store.sla.check import Overdue, open_work_items, overdue_documents
from crossdock.store.sla.deadlines import DEFAULT, DEFAULT_HOURS, Deadlines, acknowledgments_after
from crossdock.store.sla.kinds import KINDS, Kind, Waiting

__all__ = [
    "DEFAULT",
    "DEFAULT_HOURS",
    "KINDS",
    "Deadlines",
    "Kind",
    "Overdue",
    "Waiting",
    "acknowledgments_after",
    "open_work_items",
    "overdue_documents",
]
