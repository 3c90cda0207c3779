"""The console's ASGI application: routes, login and logout, and the guard that every page and
action passes (a user, and for a POST a CSRF token checked by the action itself)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from importlib.resources import files

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from crossdock.console import actions, pages
from crossdock.console.context import ConsoleContext
from crossdock.console.security import (
    CsrfError,
    LoginThrottle,
    SecurityHeaders,
    check_csrf,
    current_user,
    start_session,
)
from crossdock.console.web import ctx, environment, render
from crossdock.store import StoreUnavailableError

Handler = Callable[[Request], Response | Awaitable[Response]]
COOKIE = "crossdock_console"
ANONYMOUS = "(anonymous)"


def _guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def guarded(request: Request) -> Response:
        user = current_user(request, ctx(request).config)
        if user is None:
            if request.headers.get("hx-request"):
                return Response(status_code=401, headers={"HX-Redirect": "/login"})
            return RedirectResponse("/login", status_code=303)
        request.state.user = user
        result = handler(request)
        if isinstance(result, Response):
            return result
        return await result

    return guarded


def _sync(handler: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
    async def in_thread(request: Request) -> Response:
        return await run_in_threadpool(handler, request)

    return in_thread


def login_page(request: Request) -> Response:
    if current_user(request, ctx(request).config) is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html", {"error": None})


async def login(request: Request) -> Response:
    form = await request.form()
    try:
        check_csrf(request, form)
    except CsrfError as exc:
        return render(request, "login.html", {"error": str(exc)}, status_code=403)
    c = ctx(request)
    throttle: LoginThrottle = request.app.state.throttle
    name, password = str(form.get("username", "")).strip()[:100], str(form.get("password", ""))[:1000]
    if throttle.locked(name):
        await run_in_threadpool(c.store.audit.record, ANONYMOUS, "login_refused", "console", {"user": name})
        return render(request, "login.html", {"error": "too many failed logins: try again later"}, status_code=429)
    user = await run_in_threadpool(c.config.authenticate, name, password)
    if user is None:
        throttle.failed(name)
        await run_in_threadpool(c.store.audit.record, ANONYMOUS, "login_failed", "console", {"user": name})
        return render(request, "login.html", {"error": "wrong user name or password"}, status_code=401)
    throttle.succeeded(name)
    start_session(request, user)
    await run_in_threadpool(c.store.audit.record, user.name, "login", "console", {"role": user.role.value})
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    try:
        check_csrf(request, form)
    except CsrfError as exc:
        return render(request, "message.html", {"title": "Refused", "text": str(exc)}, status_code=403)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def store_unavailable(request: Request, exc: Exception) -> Response:
    """The database is down or locked: say so (503) instead of a server error; the next refresh retries."""
    text = "the store (database) cannot be reached right now; this page retries when reloaded"
    if request.headers.get("hx-request"):
        return PlainTextResponse(text, status_code=503)
    return render(request, "message.html", {"title": "Store unavailable", "text": text}, status_code=503)


def create_app(context: ConsoleContext) -> Starlette:
    """The console for ``context`` (store, settings, users); constructing it connects to nothing."""
    routes = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/health", health),
        Route("/", _guarded(_sync(pages.overview))),
        Route("/overview/panel", _guarded(_sync(pages.overview_panel))),
        Route("/exceptions", _guarded(_sync(pages.exceptions)), methods=["GET"]),
        Route("/exceptions/action", _guarded(actions.exceptions_action), methods=["POST"]),
        Route("/exceptions/{item_id:int}", _guarded(_sync(pages.exception_detail))),
        Route("/dead-letters", _guarded(_sync(pages.dead_letters)), methods=["GET"]),
        Route("/dead-letters/replay", _guarded(actions.dead_letters_replay), methods=["POST"]),
        Route("/dead-letters/{letter_id:str}", _guarded(_sync(pages.dead_letter))),
        Route("/trace", _guarded(_sync(pages.trace))),
        Route("/partners", _guarded(_sync(pages.partners))),
        Route("/raw/{payload_id:int}", _guarded(_sync(pages.raw_payload))),
        Mount("/static", StaticFiles(directory=str(files("crossdock.console").joinpath("static"))), name="static"),
    ]
    hours = context.config.session_hours
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=context.config.session_secret,
            session_cookie=COOKIE,
            max_age=int(hours * 3600),
            same_site="strict",
            https_only=context.config.secure_cookies,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={StoreUnavailableError: store_unavailable})
    app.state.context = context
    app.state.templates = environment()
    app.state.throttle = LoginThrottle(time.monotonic)
    return app
