"""The console's users, roles and session settings, from one YAML file (docs/console.md)::

    session_secret_env: CROSSDOCK_CONSOLE_SECRET   # the variable holding the cookie-signing key
    secure_cookies: true                           # cookies only over HTTPS (false: plain-HTTP loopback)
    session_hours: 8
    users:
      - {name: ana, role: operator, password_hash: "$argon2id$v=19$..."}   # crossdock console --hash-password
      - {name: fin, role: finance, password_hash: "$argon2id$..."}
    proxy:                                         # optional: SSO by a reverse proxy
      user_header: X-Forwarded-User
      trusted: [127.0.0.1]

Roles: ``viewer`` reads (customer PII masked), ``operator`` replays, reprocesses, resolves and
ignores, ``finance`` resolves and ignores the items finance owns. Passwords are argon2id hashes; a
secret is never written in the file, only the name of the variable that holds it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crossdock.config_yaml import load_yaml
from crossdock.errors import ConfigError, Owner

MIN_SECRET_CHARS = 32
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password: spends the same time for an unknown user")


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    FINANCE = "finance"


class Action(StrEnum):
    REPLAY = "replay"
    REPROCESS = "reprocess"
    RESOLVE = "resolve"
    IGNORE = "ignore"
    DLQ_REPLAY = "dlq_replay"


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset(),
    Role.OPERATOR: frozenset(Action),
    Role.FINANCE: frozenset({Action.RESOLVE, Action.IGNORE}),
}
FINANCE_OWNS = frozenset({Owner.FINANCE})


def may(role: Role, action: Action, owner: str | None = None) -> bool:
    """Whether ``role`` may do ``action`` (on an item owned by ``owner``): finance acts on its own items only."""
    if action not in ALLOWED[role]:
        return False
    return role is not Role.FINANCE or owner in FINANCE_OWNS


def sees_pii(role: Role) -> bool:
    return role is not Role.VIEWER


class _User(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    role: Role
    password_hash: str | None = Field(default=None, pattern=r"^\$argon2id?\$")


class _Proxy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    user_header: str = "X-Forwarded-User"
    trusted: tuple[str, ...] = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    session_secret_env: str = "CROSSDOCK_CONSOLE_SECRET"  # noqa: S105 (the name of a variable)
    secure_cookies: bool = True
    session_hours: float = Field(default=8, gt=0, le=24 * 7)
    users: tuple[_User, ...] = Field(min_length=1)
    proxy: _Proxy | None = None


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    password_hash: str | None = None


@dataclass(frozen=True, slots=True)
class ProxyAuth:
    """Trust ``user_header`` (the user the proxy authenticated) from these addresses only."""

    user_header: str
    trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    def trusts(self, host: str | None) -> bool:
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(address in network for network in self.trusted)


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    users: Mapping[str, User]
    session_secret: str
    secure_cookies: bool = True
    session_hours: float = 8
    proxy: ProxyAuth | None = None

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password matches its hash; ``None`` otherwise (same work either way)."""
        user = self.users.get(name)
        try:
            _HASHER.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return user if user is not None and user.password_hash else None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def load_console_config(path: Path, environ: Mapping[str, str] | None = None) -> ConsoleConfig:
    """Read and check the console's file; a problem is a :class:`ConfigError` naming the file and field."""
    env = os.environ if environ is None else environ
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"console config {path}: cannot read it ({exc.strerror})") from exc
    loaded = load_yaml(data, str(path))
    if isinstance(loaded, dict) and "ack_overdue_hours" in loaded:
        raise ConfigError(
            f"console config {path}: ack_overdue_hours: moved to flows.yaml as sla.deadlines (940-997: 24h ...); "
            "remove it here (docs/console.md)"
        )
    try:
        parsed = _File.model_validate(loaded)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise ConfigError(f"console config {path}: {where}: {first['msg']}") from None
    secret = env.get(parsed.session_secret_env, "")
    if len(secret) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"console config {path}: set {parsed.session_secret_env} to a random secret of at least "
            f"{MIN_SECRET_CHARS} characters (it signs the session cookies)"
        )
    names = [u.name for u in parsed.users]
    if len(set(names)) != len(names):
        raise ConfigError(f"console config {path}: users: a name is given twice")
    if parsed.proxy is None and any(u.password_hash is None for u in parsed.users):
        raise ConfigError(f"console config {path}: users: every user needs a password_hash (or configure proxy)")
    proxy = None
    if parsed.proxy is not None:
        try:
            trusted = tuple(ipaddress.ip_network(t, strict=False) for t in parsed.proxy.trusted)
        except ValueError as exc:
            raise ConfigError(f"console config {path}: proxy.trusted: {exc}") from None
        proxy = ProxyAuth(parsed.proxy.user_header, trusted)
    return ConsoleConfig(
        users={u.name: User(u.name, u.role, u.password_hash) for u in parsed.users},
        session_secret=secret,
        secure_cookies=parsed.secure_cookies,
        session_hours=parsed.session_hours,
        proxy=proxy,
    )
