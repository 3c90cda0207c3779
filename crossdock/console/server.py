"""Run the console: build the store and the app from settings, the console's config file and the
deadlines of flows.yaml's ``sla:`` (the defaults without ``CROSSDOCK_CONFIG_DIR``), serve the business
metrics when asked, and hand the app to uvicorn."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from prometheus_client import start_http_server

from crossdock.actors.sla_watch import deadlines_for
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
    deadlines = deadlines_for(settings)
    store = Store.from_settings(settings)
    try:
        if metrics_port is not None:
            start_http_server(
                metrics_port,
                addr=metrics_host,
                registry=registry_for(store, lambda: datetime.now(UTC), deadlines=deadlines),
            )
        app = create_app(ConsoleContext(store, settings, config, deadlines=deadlines))
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)
    finally:
        store.close()
