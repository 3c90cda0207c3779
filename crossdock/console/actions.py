"""The console's writes: replay, reprocess, resolve and ignore exception items (one or many, each
with a note) and replay dead letters. Every one needs a role that allows it on every item named (or
nothing is done), a valid CSRF token, and a note; each is audited under the signed-in user by the
same functions the command line calls (:mod:`crossdock.broker.recovery`,
:mod:`crossdock.actors.reprocess`, :class:`crossdock.store.WorkItems`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from crossdock.actors.reprocess import ReprocessError, plan, publisher_for, reprocess
from crossdock.broker.lanes import LANES
from crossdock.broker.recovery import collect_letters, replay_item, take_letters
from crossdock.broker.republish import republisher
from crossdock.console.config import Action, User, may
from crossdock.console.context import ConsoleContext
from crossdock.console.security import CsrfError, check_csrf
from crossdock.console.web import ctx, render, user_of
from crossdock.store import WorkItem, WorkItemNotFoundError, WorkItemStateError

MAX_NOTE = 2000
MAX_IDS = 1000
ITEM_ACTIONS = {a.value: a for a in (Action.REPLAY, Action.REPROCESS, Action.RESOLVE, Action.IGNORE)}


@dataclass(slots=True)
class Outcome:
    done: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def message(self, verb: str) -> str:
        text = f"{verb} {len(self.done)}: {', '.join(self.done) or 'nothing'}"
        return text + (f". Refused: {'; '.join(self.refused)}" if self.refused else "")


def _next(request: Request, given: object, fallback: str) -> str:
    """Where to go back to: a path of this site only (never ``//host`` or a URL)."""
    if isinstance(given, str) and given.startswith("/") and not given.startswith("//") and "\\" not in given:
        return given
    return fallback


def _refuse(request: Request, status: int, title: str, text: str) -> Response:
    return render(request, "message.html", {"title": title, "text": text}, status_code=status)


def _broker_url(c: ConsoleContext) -> str:
    if c.settings.broker_url is None:
        raise ReprocessError("no broker URL (CROSSDOCK_BROKER_URL): replay and reprocess need RabbitMQ")
    return c.settings.broker_url


def _act_on_items(c: ConsoleContext, user: User, action: Action, items: list[WorkItem], note: str) -> Outcome:
    outcome = Outcome()
    if action in (Action.RESOLVE, Action.IGNORE):
        close = c.store.exceptions.resolve if action is Action.RESOLVE else c.store.exceptions.ignore
        for item in items:
            try:
                close(item.id, user.name, note)
                outcome.done.append(f"#{item.id}")
            except WorkItemStateError as exc:
                outcome.refused.append(str(exc).replace(" (use --force to record it again)", ""))
        return outcome
    url = _broker_url(c)
    timeout = c.settings.network_timeout_s
    with republisher(url, timeout_s=timeout) as publisher:
        if action is Action.REPLAY:
            for item in items:
                reason = replay_item(c.store, publisher, item, user.name, note, force=False)
                outcome.done.append(f"#{item.id}") if reason is None else outcome.refused.append(reason)
            return outcome
        for payload_id, for_items in plan(c.store, [], items).items():
            result = reprocess(c.store, publisher_for(publisher), payload_id, user.name, note=note, items=for_items)
            outcome.done.append(f"payload {payload_id} for " + ", ".join(f"#{i}" for i in result.items))
    return outcome


async def exceptions_action(request: Request) -> Response:
    c, user = ctx(request), user_of(request)
    form = await request.form()
    try:
        check_csrf(request, form)
    except CsrfError as exc:
        return _refuse(request, 403, "Refused", str(exc))
    action = ITEM_ACTIONS.get(str(form.get("action", "")))
    note = str(form.get("note", "")).strip()[:MAX_NOTE]
    raw_ids = form.getlist("ids")[:MAX_IDS]
    if action is None:
        return _refuse(request, 400, "Refused", "choose replay, reprocess, resolve or ignore")
    if not note:
        return _refuse(request, 400, "Refused", "a note is needed: say what was fixed or why")
    if not raw_ids or not all(str(i).isdigit() for i in raw_ids):
        return _refuse(request, 400, "Refused", "select at least one exception item")
    try:
        items = await run_in_threadpool(lambda: [c.store.exceptions.get(int(str(i))) for i in dict.fromkeys(raw_ids)])
    except WorkItemNotFoundError as exc:
        return _refuse(request, 404, "Not found", str(exc))
    forbidden = [f"#{i.id} ({i.owner.value})" for i in items if not may(user.role, action, i.owner.value)]
    if forbidden:
        return _refuse(request, 403, "Forbidden",
                       f"your role ({user.role.value}) may not {action.value} {', '.join(forbidden)}")  # fmt: skip
    try:
        outcome = await run_in_threadpool(_act_on_items, c, user, action, items, note)
    except ReprocessError as exc:
        return _refuse(request, 409, "Not done", str(exc))
    except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
        return _refuse(request, 503, "Not done", f"cannot publish to RabbitMQ ({type(exc).__name__}); try again")
    verb = {"replay": "replayed", "reprocess": "reprocessed", "resolve": "resolved", "ignore": "ignored"}[action.value]
    request.session["flash"] = outcome.message(verb)
    return RedirectResponse(_next(request, form.get("next"), "/exceptions"), status_code=303)


async def dead_letters_replay(request: Request) -> Response:
    c, user = ctx(request), user_of(request)
    form = await request.form()
    try:
        check_csrf(request, form)
    except CsrfError as exc:
        return _refuse(request, 403, "Refused", str(exc))
    if not may(user.role, Action.DLQ_REPLAY):
        return _refuse(request, 403, "Forbidden", f"your role ({user.role.value}) may not replay dead letters")
    note = str(form.get("note", "")).strip()[:MAX_NOTE]
    ids = {str(i) for i in form.getlist("ids")[:MAX_IDS]}
    if not note or not ids:
        return _refuse(request, 400, "Refused", "select dead letters and say why they are replayed")
    if c.settings.broker_url is None:
        return _refuse(request, 409, "Not done", "no broker URL (CROSSDOCK_BROKER_URL): replay needs RabbitMQ")
    url = c.settings.broker_url

    def work() -> list[str]:
        on_broker, problem = c.broker.dead_letters(list(LANES))
        if problem is not None and "cannot" in problem:
            raise ConnectionError(problem)
        chosen = [x for x in collect_letters(c.store, LANES, on_broker) if x.id in ids and x.replayable]
        taken = take_letters(c.store, url, chosen, user.name, replay=True, timeout_s=c.settings.network_timeout_s,
                             note=note)  # fmt: skip
        return [x.id for x in taken]

    try:
        done = await run_in_threadpool(work)
    except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
        return _refuse(request, 503, "Not done", f"cannot reach RabbitMQ ({type(exc).__name__}); try again")
    missing = sorted(ids - set(done))
    request.session["flash"] = f"replayed {len(done)} dead letters" + (
        f"; not found or not replayable: {', '.join(missing)}" if missing else ""
    )
    return RedirectResponse(_next(request, form.get("next"), "/dead-letters"), status_code=303)
