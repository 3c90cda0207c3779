"""The one place where an error that escapes a command becomes what an operator reads: a line on stderr
and an exit code, never a traceback for a configuration problem or a server that cannot be reached.

Exit codes of every command (docs/operations.md): 0 ok, 1 the command ran and found a problem (an
invalid file, no match, a failed endpoint), 2 it could not run (configuration, an unreachable or
unready server, bad arguments). Library errors that reach this boundary are recognised by the module
that raised them, so nothing here imports SQLAlchemy, pika or paramiko (``--help`` stays fast).
Anything else is a bug: its traceback is kept.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from crossdock.errors import ConfigError, CrossdockError, TransientError

OK = 0
FOUND_PROBLEM = 1
CANNOT_RUN = 2

_LIBRARIES = {
    "sqlalchemy": "database",
    "psycopg": "database",
    "sqlite3": "database",
    "alembic": "database",
    "pika": "RabbitMQ",
    "dramatiq": "RabbitMQ",
    "paramiko": "SFTP",
    "zeep": "ERP (SOAP)",
    "requests": "HTTP",
    "httpx": "HTTP",
    "urllib3": "HTTP",
}


class CommandError(Exception):
    """A command cannot go on: ``message`` is printed as one line, the process exits ``code``."""

    def __init__(self, message: str, code: int = CANNOT_RUN) -> None:
        super().__init__(message)
        self.code = code


def one_line(text: str, limit: int = 2000) -> str:
    """``text`` on one line (a server's message may span several), cut at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def explain(exc: BaseException) -> tuple[int, str] | None:
    """The exit code and the line for ``exc``; ``None`` when it is a bug (keep its traceback)."""
    if isinstance(exc, CommandError):
        return exc.code, str(exc)
    if isinstance(exc, ConfigError):
        return CANNOT_RUN, f"configuration: {exc}"
    if isinstance(exc, TransientError):
        return CANNOT_RUN, f"unavailable: {exc}"
    if isinstance(exc, CrossdockError):
        return CANNOT_RUN, str(exc)
    if isinstance(exc, RecursionError):
        return CANNOT_RUN, "the input is nested too deeply to read (RecursionError)"
    library = _library(exc)
    if library is not None:
        reason = getattr(exc, "orig", None) or exc  # SQLAlchemy: the driver's message, without the SQL
        return CANNOT_RUN, f"{library}: {type(exc).__name__}: {reason}"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return CANNOT_RUN, f"{exc.strerror or exc}{where}"
    return None


def _library(exc: BaseException) -> str | None:
    root = type(exc).__module__.partition(".")[0]
    return _LIBRARIES.get(root)


def report(exc: BaseException) -> int | None:
    """Print ``exc`` as one line on stderr and return the exit code; ``None`` for a bug."""
    explained = explain(exc)
    if explained is None:
        return None
    code, message = explained
    sys.stderr.write(f"crossdock: {one_line(message)}\n")
    sys.stderr.flush()
    return code


def _click_signals() -> tuple[type[BaseException], ...]:
    """What typer handles itself (exit, abort, usage errors): typer 0.29 carries its own click."""
    try:
        from typer.exceptions import TyperException
    except ImportError:  # an older typer on the real click
        from click import ClickException as TyperException  # type: ignore[assignment]
    return (typer.Exit, typer.Abort, TyperException)


class CrossdockGroup(TyperGroup):
    """The root command group: every subcommand runs inside :func:`report`."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _click_signals():
            raise
        except Exception as exc:
            code = report(exc)
            if code is None:
                raise
            raise typer.Exit(code) from None
