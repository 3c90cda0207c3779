"""The console's read-only pages: overview, exceptions (list and detail), dead letters, trace, partners.

Each handler reads through the store's repositories and read models (:mod:`crossdock.store.dashboard`,
:mod:`crossdock.store.sla`, the inventory repository) and the broker's queue statistics, then renders
one template.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from crossdock.actors.reprocess import ReprocessError, origin_payload
from crossdock.broker.lanes import LANES
from crossdock.broker.recovery import collect_letters
from crossdock.console.config import Action, may, sees_pii
from crossdock.console.context import ConsoleContext
from crossdock.console.graph import document_graph
from crossdock.console.payload import show
from crossdock.console.web import ctx, render, user_of
from crossdock.errors import Owner
from crossdock.store import ItemFilter, ItemStatus, RawRef, TraceResult, WorkItemNotFoundError, dashboard
from crossdock.store.sla import KINDS, Overdue, overdue_documents

AGES = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
"""``age=<24h`` (opened in the last 24 hours) or ``age=>24h`` (waiting longer)."""
PAGE = 500
OVERDUE_SHOWN = 50
ITEM_ACTIONS = (Action.REPLAY, Action.REPROCESS, Action.RESOLVE, Action.IGNORE)


def overview_data(request: Request) -> dict[str, Any]:
    c = ctx(request)
    now = c.clock()
    report, broker_note = c.broker.queues()
    dead = dashboard.dead_letters_by_queue(c.store.db)
    oldest = dashboard.oldest_unfinished(c.store.db, now=now)
    lanes = []
    for lane in LANES:
        stats = next((q for q in report.queues if q.queue == lane), None) if report else None
        started = oldest.get(lane)
        lanes.append(
            {
                "queue": lane,
                "ready": stats.ready if stats else None,
                "unacked": stats.unacked if stats else None,
                "consumers": stats.consumers if stats else None,
                "broker_dead": stats.dead_letters if stats else None,
                "journaled_dead": dead.get(lane, 0),
                "oldest_s": (now - started).total_seconds() if started else None,
            }
        )
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    overdue = overdue_documents(c.store, c.deadlines, now=now)
    return {
        "now": now,
        "lanes": lanes,
        "broker_note": broker_note or (report.note if report else None),
        "owners": dashboard.open_items_by_owner(c.store.db, now=now),
        "orders": dashboard.orders_since(c.store.db, start_of_day),
        "overdue": overdue[:OVERDUE_SHOWN],
        "overdue_by_kind": overdue_by_kind(overdue),
        "overdue_total": len(overdue),
        "partners": dashboard.partner_activity(c.store.db),
        "inventory_sources": c.store.inventory.freshness(),
        "inventory_push": c.store.inventory.push_lag(),
    }


def overdue_by_kind(overdue: list[Overdue]) -> list[dict[str, Any]]:
    """Per kind with a deadline or something overdue: how many, and the oldest one's due time."""
    rows = []
    for name, kind in KINDS.items():
        late = [o for o in overdue if o.kind.name == name]
        if late:
            oldest = min(o.due_at for o in late)
            rows.append({"kind": name, "expected": kind.expected, "owner": kind.owner.value, "count": len(late),
                         "oldest_due": oldest})  # fmt: skip
    return rows


def overview(request: Request) -> Response:
    return render(request, "overview.html", overview_data(request))


def overview_panel(request: Request) -> Response:
    return render(request, "_overview_panel.html", overview_data(request))


def _filter(request: Request) -> tuple[ItemFilter, dict[str, str]]:
    q = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    status = q.get("status", ItemStatus.OPEN.value)
    owner = q.get("owner")
    age_filter = q.get("age", "")
    age = AGES.get(age_filter[1:]) if age_filter[:1] == "<" else None
    where = ItemFilter(
        status=None if status == "any" else ItemStatus(status) if status in set(ItemStatus) else ItemStatus.OPEN,
        owner=Owner(owner) if owner in set(Owner) else None,
        code=q.get("code"),
        step=q.get("step"),
        channel=q.get("channel"),
        since=ctx(request).clock() - age if age else None,
    )
    return where, q


def exceptions(request: Request) -> Response:
    where, q = _filter(request)
    items = ctx(request).store.exceptions.find(where, limit=PAGE)  # oldest first
    older = AGES.get(q.get("age", "")[1:]) if q.get("age", "")[:1] == ">" else None
    if older is not None:
        before = ctx(request).clock() - older
        items = [i for i in items if i.created_at <= before]
    user = user_of(request)
    return render(
        request,
        "exceptions.html",
        {
            "items": items,
            "q": q,
            "statuses": [*ItemStatus, "any"],
            "owners": list(Owner),
            "ages": [f"{sign}{age}" for sign in "<>" for age in AGES],
            "actions": [a for a in ITEM_ACTIONS if any(may(user.role, a, o) for o in Owner)],
            "now": ctx(request).clock(),
        },
    )


def exception_detail(request: Request) -> Response:
    c = ctx(request)
    user = user_of(request)
    try:
        item = c.store.exceptions.get(int(request.path_params["item_id"]))
    except WorkItemNotFoundError as exc:
        return render(request, "message.html", {"title": "Not found", "text": str(exc)}, status_code=404)
    mask = not sees_pii(user.role)
    parked = c.store.raw.get(item.raw_payload_id) if item.raw_payload_id is not None else None
    origin = None
    try:
        origin_id = origin_payload(c.store, item)
        if origin_id != item.raw_payload_id:
            origin = (origin_id, c.store.raw.get(origin_id))
    except ReprocessError:
        pass
    hops = c.store.journal.for_correlations([item.correlation_id]) if item.correlation_id else []
    return render(
        request,
        "exception.html",
        {
            "item": item,
            "parked": show(parked.content, mask=mask) if parked else None,
            "origin_id": origin[0] if origin else None,
            "origin": show(origin[1].content, mask=mask) if origin and origin[1] else None,
            "hops": hops,
            "actions": [a for a in ITEM_ACTIONS if may(user.role, a, item.owner)],
        },
    )


def _letters(request: Request) -> tuple[list[Any], str | None]:
    c = ctx(request)
    on_broker, note = c.broker.dead_letters(list(LANES))
    return collect_letters(c.store, LANES, on_broker), note


def dead_letters(request: Request) -> Response:
    letters, note = _letters(request)
    user = user_of(request)
    return render(
        request,
        "dead_letters.html",
        {"letters": letters, "note": note, "can_replay": may(user.role, Action.DLQ_REPLAY)},
    )


def dead_letter(request: Request) -> Response:
    letters, note = _letters(request)
    wanted = request.path_params["letter_id"]
    letter = next((x for x in letters if x.id == wanted), None)
    if letter is None:
        return render(request, "message.html", {"title": "Not found", "text": f"no dead letter {wanted}"}, 404)
    user = user_of(request)
    body = show(letter.body, mask=not sees_pii(user.role)) if letter.body is not None else None
    return render(
        request,
        "dead_letter.html",
        {"letter": letter, "body": body, "note": note, "can_replay": may(user.role, Action.DLQ_REPLAY)},
    )


def _trace(c: ConsoleContext, key: str) -> tuple[TraceResult, RawRef | None]:
    """Trace ``key``; a raw payload id is traced through the messages that kept it, its ISA13 or its name."""
    result = c.store.trace(key)
    ref = c.store.raw.ref(int(key)) if key.isdigit() and len(key) < 19 else None
    if result.found or ref is None:
        return result, ref
    for other in [*dashboard.correlations_of_payload(c.store.db, ref.id), ref.interchange_control, ref.name]:
        if other:
            found = c.store.trace(other)
            if found.found:
                return found, ref
    return result, ref


def trace(request: Request) -> Response:
    c = ctx(request)
    key = request.query_params.get("key", "").strip()[:200]
    result, ref = _trace(c, key) if key else (None, None)
    graph = document_graph(result.documents) if result and result.documents.documents else None
    items: dict[int, Any] = {}
    if result is not None:  # the work items about any key the trace found (items name keys as field=value)
        names = {f"{kind}={value}" for kind, value in result.keys[:50]} | {key}
        wanted = [ItemFilter(status=None, business_key=name) for name in sorted(names)]
        if ref is not None:
            wanted.append(ItemFilter(status=None, raw_payload_id=ref.id))
        for where in wanted:
            for item in c.store.exceptions.find(where, limit=50):
                items[item.id] = item
    found = sorted(items.values(), key=lambda i: i.id)
    return render(request, "trace.html", {"key": key, "result": result, "graph": graph, "items": found, "ref": ref})


def raw_payload(request: Request) -> Response:
    c = ctx(request)
    payload = c.store.raw.get(int(request.path_params["payload_id"]))
    if payload is None:
        return render(request, "message.html", {"title": "Not found", "text": "no such raw payload"}, 404)
    shown = show(payload.content, mask=not sees_pii(user_of(request).role))
    return render(request, "raw.html", {"ref": payload.ref, "shown": shown})


def partners(request: Request) -> Response:
    c = ctx(request)
    now = c.clock()
    acknowledgments = [name for name, kind in KINDS.items() if kind.expected == "997"]
    overdue = overdue_documents(c.store, c.deadlines, now=now, kinds=acknowledgments)
    late = {(o.party, o.waiting.detail.get("group_control_number")) for o in overdue}
    return render(
        request,
        "partners.html",
        {"partners": dashboard.partner_activity(c.store.db), "late": late, "now": now},
    )
