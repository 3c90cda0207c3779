"""Run the console: build the store and the app from settings and the console's config file, serve
the business metrics when asked, and hand the app to uvicorn."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from prometheus_client import start_http_server

from crossdock.console.app import create_app
from crossdock.console.config import load_console_config
from crossdock.console.context import ConsoleContext
from crossdock.console.metrics import registry_for
from crossdock.settings import Settings
from crossdock.store import Store


def serve(
    settings: Settings, config_path: Path, *, host: str, port: int, metrics_host: str, metrics_port: int | None
) -> None:
    """Serve until interrupted. Raises :class:`crossdock.errors.ConfigError` for a bad config file."""
    config = load_console_config(config_path)
    store = Store.from_settings(settings)
    try:
        if metrics_port is not None:
            start_http_server(
                metrics_port,
                addr=metrics_host,
                registry=registry_for(store, lambda: datetime.now(UTC), ack_overdue_hours=config.ack_overdue_hours),
            )
        app = create_app(ConsoleContext(store, settings, config))
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)
    finally:
        store.close()
