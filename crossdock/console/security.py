"""Who is asking, and may they: login sessions, the reverse-proxy header mode, CSRF tokens and the
security headers every response carries.

- A session is a signed cookie (Starlette's ``SessionMiddleware``: HttpOnly, SameSite=Strict,
  ``Secure`` unless the config says plain-HTTP loopback) holding the user's name and a CSRF token;
  the user's role is read from the config on every request, so removing a user ends their sessions.
- Proxy mode: a request from a trusted proxy address carrying ``user_header`` is that user (who must
  be in the config: the role comes from there). Anything else must log in.
- Logins: five failures for a name lock it for 15 minutes (:class:`LoginThrottle`); every login and
  every refused one is audited.
- CSRF: every POST carries the session's token (form field ``csrf_token`` or header ``X-CSRF-Token``,
  which htmx sends) and, when the browser sends one, an ``Origin`` of this host.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crossdock.console.config import ConsoleConfig, User

SESSION_USER = "user"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_TRACKED_NAMES = 10_000
HEADERS = (
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)  # fmt: skip


class CsrfError(PermissionError):
    pass


def current_user(request: Request, config: ConsoleConfig) -> User | None:
    proxy = config.proxy
    if proxy is not None and proxy.trusts(request.client.host if request.client else None):
        name = request.headers.get(proxy.user_header)
        if name:
            return config.users.get(name.strip())
    name = request.session.get(SESSION_USER)
    return config.users.get(name) if isinstance(name, str) else None


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def start_session(request: Request, user: User) -> None:
    """A fresh session for ``user`` (a new CSRF token: nothing from before the login carries over)."""
    request.session.clear()
    request.session[SESSION_USER] = user.name
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def check_csrf(request: Request, form: FormData) -> None:
    expected = request.session.get(SESSION_CSRF)
    given = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not isinstance(expected, str) or not isinstance(given, str) or not secrets.compare_digest(expected, given):
        raise CsrfError("missing or wrong CSRF token: reload the page and try again")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfError("the request comes from another site")


class LoginThrottle:
    """After ``limit`` failed logins for one user name within ``window_s``, refuse that name until the
    window has passed (one process's memory: a restart forgets, several replicas count apart)."""

    def __init__(self, clock: Callable[[], float], *, limit: int = 5, window_s: float = 900) -> None:
        self._clock = clock
        self._limit = limit
        self._window_s = window_s
        self._failures: dict[str, list[float]] = {}

    def _recent(self, name: str) -> list[float]:
        now = self._clock()
        recent = [t for t in self._failures.get(name, []) if now - t < self._window_s]
        if recent:
            self._failures[name] = recent
        else:
            self._failures.pop(name, None)
        return recent

    def locked(self, name: str) -> bool:
        return len(self._recent(name)) >= self._limit

    def failed(self, name: str) -> None:
        if len(self._failures) > MAX_TRACKED_NAMES:  # bounded: forget the lot rather than grow without end
            self._failures.clear()
        self._failures.setdefault(name, []).append(self._clock())

    def succeeded(self, name: str) -> None:
        self._failures.pop(name, None)


class SecurityHeaders:
    """Adds :data:`HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
