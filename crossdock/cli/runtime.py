"""What the commands build from settings, each step failing as one line (``CommandError``, exit 2):
the settings themselves (with warnings about the environment), the store (which must exist and be at
the newest schema: a reading command never creates a database), the broker URL.

Heavy libraries (SQLAlchemy, Alembic) are imported inside the functions, when a command needs them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from crossdock.cli.boundary import CommandError

if TYPE_CHECKING:
    from crossdock.settings import Settings
    from crossdock.store import Store


def settings(config_file: Path | None = None) -> Settings:
    """The settings, after printing each warning about the ``CROSSDOCK_*`` variables on stderr."""
    from crossdock.settings import environment_warnings, load_settings

    for warning in environment_warnings():
        sys.stderr.write(f"crossdock: warning: {warning}\n")
    return load_settings(config_file)


def database_where(settings: Settings) -> str:
    """The configured database for a message, password masked."""
    from crossdock.settings import mask_url_password

    return mask_url_password(settings.effective_database_url)


def open_store(settings: Settings) -> Store:
    """The store, checked: the database exists, can be reached, and its schema is the newest this
    crossdock ships. Nothing is created (``crossdock db upgrade`` does that)."""
    from crossdock.errors import TransientError
    from crossdock.store import Store
    from crossdock.store.readiness import require_schema

    store = Store.from_settings(settings)
    try:
        require_schema(store.db)
    except TransientError as exc:
        store.close()
        raise CommandError(f"cannot reach the database {database_where(settings)}: {exc}") from exc
    except BaseException:
        store.close()
        raise
    return store


def require_broker(settings: Settings, what: str) -> str:
    """The RabbitMQ URL, or exit 2 saying that ``what`` needs one."""
    if settings.broker_url is None:
        raise CommandError(f"no broker URL: {what} needs RabbitMQ; set CROSSDOCK_BROKER_URL")
    return settings.broker_url
