"""Rendering and the request's user: the small helpers every console handler uses."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from crossdock.console.config import User, may, sees_pii
from crossdock.console.context import ConsoleContext
from crossdock.console.security import csrf_token

TEMPLATES = str(files("crossdock.console").joinpath("templates"))


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False)
    env.filters["age"] = _age
    env.filters["when"] = _when
    env.globals["may"] = may
    return env


def ctx(request: Request) -> ConsoleContext:
    context: ConsoleContext = request.app.state.context
    return context


def user_of(request: Request) -> User:
    user: User = request.state.user
    return user


def render(request: Request, template: str, values: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    user: User | None = getattr(request.state, "user", None)
    flash = request.session.pop("flash", None) if "session" in request.scope else None
    page = request.app.state.templates.get_template(template).render(
        request=request,
        user=user,
        pii=sees_pii(user.role) if user else False,
        csrf=csrf_token(request),
        flash=flash,
        path=request.url.path,
        **values,
    )
    return HTMLResponse(page, status_code=status_code)
