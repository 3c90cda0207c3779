"""The ops console: one web page set for operators, joining broker health (lanes, dead letters) and
business health (exception items, orders, partners' files and 997s), with the recovery actions of the
command line (replay, reprocess, resolve, ignore) behind login, roles, CSRF and the audit log.

Server-rendered (Starlette + Jinja2) with htmx shipped in ``static/`` (no CDN). Run it with
``crossdock console``; see docs/console.md.

Public API: create_app, ConsoleContext, ConsoleConfig, load_console_config, Role, Action, may.
"""

from crossdock.console.app import create_app
from crossdock.console.config import Action, ConsoleConfig, Role, load_console_config, may
from crossdock.console.context import ConsoleContext

__all__ = ["create_app", "ConsoleContext", "ConsoleConfig", "load_console_config", "Role", "Action", "may"]
