"""One typed, frozen settings object, built once at the composition root and passed down.

Sources, later ones winning: defaults, an optional YAML config file, then environment variables
``CROSSDOCK_*`` (``CROSSDOCK_BROKER_URL``, ``CROSSDOCK_DATABASE_URL`` ...). Nothing is read at import
time: call :func:`load_settings`.

Embedded defaults need no server: with no broker URL the broker is Dramatiq's in-memory broker with an
in-process worker, and the database is SQLite under ``data_dir``, by default the user's data directory
(``~/.local/share/crossdock`` on Linux, from platformdirs), never a path relative to the current folder.

:func:`environment_warnings` names what the environment gets wrong without being an error: a
``CROSSDOCK_*`` variable no setting reads (with the closest known name), a deprecated name.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crossdock.config_yaml import load_yaml
from crossdock.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSDOCK_", frozen=True, extra="forbid")

    data_dir: Path = Field(
        default_factory=lambda: default_data_dir(),
        description="Where embedded state lives (SQLite, raw payloads); default: the user's data directory.",
    )
    broker_url: str | None = Field(
        default=None, description="amqp://user:pass@host:5672/vhost for RabbitMQ; unset for the in-memory broker."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; unset for SQLite at <data_dir>/crossdock.db."
    )
    config_dir: Path | None = Field(
        default=None, description="The folder holding flows.yaml (and, beside it, the partner profiles it names)."
    )
    rabbitmq_management_url: str | None = Field(
        default=None, description="http://127.0.0.1:15672 to read queue stats over the management API."
    )
    metrics_port: int | None = Field(default=None, ge=0, le=65535, description="Prometheus metrics HTTP port.")
    max_message_bytes: int = Field(default=1_048_576, gt=0, description="Largest message the broker accepts.")
    max_retries: int = Field(default=5, ge=0)
    min_backoff_ms: int = Field(default=1_000, ge=0)
    max_backoff_ms: int = Field(default=300_000, ge=0)
    network_timeout_s: float = Field(default=30.0, gt=0, description="Default connect/read timeout for every call.")
    outbox_sweep_interval_s: float = Field(
        default=15.0, gt=0, description="How often each worker process looks for outbox rows left pending."
    )
    outbox_sweep_after_s: float = Field(
        default=60.0, gt=0, description="An outbox row pending this long is sent to delivery again."
    )
    webhook_secret: SecretStr | None = None
    queue_type: Literal["classic", "quorum"] = Field(
        default="classic", description="RabbitMQ queue type of every lane: quorum queues replicate on a cluster."
    )
    quorum_delivery_limit: int = Field(
        default=20, ge=1, description="Quorum queues: deliveries of one message before RabbitMQ dead-letters it."
    )

    @field_validator("config_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("broker_url")
    @classmethod
    def _amqp_only(cls, value: str | None) -> str | None:
        if value and not value.startswith(("amqp://", "amqps://")):
            raise ValueError("broker_url must be an amqp:// or amqps:// URL")
        return value

    @property
    def partners_path(self) -> Path | None:
        """The old name of :attr:`config_dir` (``CROSSDOCK_PARTNERS_PATH`` still sets it, with a warning)."""
        return self.config_dir

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'crossdock.db').as_posix()}"

    @property
    def uses_embedded_broker(self) -> bool:
        return self.broker_url is None

    def __repr_args__(self) -> Any:  # repr() and str() show URLs with their password masked
        for name, value in super().__repr_args__():
            yield name, mask_url_password(value) if name in _URL_FIELDS and isinstance(value, str) else value


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), e.g. ``~/.local/share/crossdock`` on Linux."""
    import platformdirs  # only when no data_dir is configured

    return Path(platformdirs.user_data_dir("crossdock", appauthor=False))


_URL_FIELDS = frozenset({"broker_url", "database_url", "rabbitmq_management_url"})


def mask_url_password(url: str) -> str:
    """``url`` with the password of its user info replaced by ``***`` (for messages and reprs)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<unparsable URL>"
    if password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _summary(exc: ValidationError) -> str:
    """Field and problem only: pydantic's own text repeats the input, which may be a URL with a password."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)
    )


def load_settings(config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings: YAML file values first, then ``CROSSDOCK_*`` environment variables over them.

    ``config_file`` defaults to ``$CROSSDOCK_CONFIG`` when set.
    """
    env = dict(os.environ if environ is None else environ)
    path = config_file or (Path(env["CROSSDOCK_CONFIG"]) if env.get("CROSSDOCK_CONFIG") else None)
    values: dict[str, Any] = {}
    if path is not None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
        loaded = load_yaml(data, f"config file {path}") or {}
        if not isinstance(loaded, dict) or not all(isinstance(name, str) for name in loaded):
            raise ConfigError(f"config file {path} must hold a mapping of setting names to values")
        values.update(loaded)
    for old, new in DEPRECATED_NAMES.items():
        if old in values:
            values.setdefault(new, values.pop(old))
    for key, value in env.items():
        if key.startswith(PREFIX) and key != "CROSSDOCK_CONFIG":
            name = key[len(PREFIX) :].lower()
            if name in Settings.model_fields:
                values[name] = value
    for old, new in DEPRECATED_NAMES.items():
        old_env, new_env = PREFIX + old.upper(), PREFIX + new.upper()
        if env.get(old_env) and not env.get(new_env):
            values[new] = env[old_env]
    try:
        # Values are passed explicitly, so pydantic-settings' own env reading must not run again.
        return Settings.model_validate(values)
    except ValidationError as exc:  # the cause is not chained: its text holds the rejected values
        raise ConfigError(f"invalid settings: {_summary(exc)}") from None


PREFIX = "CROSSDOCK_"
DEPRECATED_NAMES = {"partners_path": "config_dir"}
"""Old setting name -> new one: the old name still works, with a warning."""
OTHER_NAMES = frozenset({"CROSSDOCK_CONFIG"})
"""``CROSSDOCK_*`` variables crossdock reads that are not settings."""
_SECRET_SUFFIXES = ("_TOKEN", "_PASSWORD", "_SECRET", "_KEY")
"""A variable with one of these endings may be a secret a configuration file names (``token_env``)."""


def environment_warnings(environ: Mapping[str, str] | None = None) -> list[str]:
    """What the ``CROSSDOCK_*`` variables get wrong without being an error, one message each: a
    deprecated name, a name no setting reads (with the closest known one). Never a value."""
    env = os.environ if environ is None else environ
    known = {PREFIX + name.upper() for name in Settings.model_fields} | OTHER_NAMES
    messages = []
    for key in sorted(env):
        if not key.startswith(PREFIX) or key in known:
            continue
        old = key[len(PREFIX) :].lower()
        if old in DEPRECATED_NAMES:
            new = PREFIX + DEPRECATED_NAMES[old].upper()
            ignored = f" ({key} is ignored: {new} is set)" if new in env else ""
            messages.append(f"{key} is deprecated: use {new}{ignored}")
            continue
        close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.8)
        if close:
            messages.append(f"{key} is not a crossdock setting (ignored): did you mean {close[0]}?")
        elif not key.endswith(_SECRET_SUFFIXES) and not key.startswith(PREFIX + "TEST_"):
            messages.append(f"{key} is not a crossdock setting (ignored)")
    return messages
