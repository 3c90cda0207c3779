"""Pinned SSH host keys, in OpenSSH known_hosts format, and the policy that refuses everything else.

A pinned line is either a full known_hosts line (``[host]:port ssh-ed25519 AAAA...``, hashed host
names allowed) or just ``keytype base64`` meaning "this profile's host". Only entries matching the
profile's host (``host`` on port 22, ``[host]:port`` otherwise) are used. There is no trust on first
use: an unknown or changed key raises :class:`HostKeyMismatchError` with both fingerprints.
"""

from __future__ import annotations

import base64
import binascii
from typing import NoReturn

import paramiko
from paramiko.hostkeys import HostKeyEntry, InvalidHostKey

from crossdock.bridges.sftp.errors import HostKeyMismatchError
from crossdock.errors import ConfigError


def host_key_name(host: str, port: int) -> str:
    """The name OpenSSH and paramiko file a host's keys under."""
    return host if port == 22 else f"[{host}]:{port}"


def parse_pinned(lines: list[str], host: str, port: int, *, source: str = "host_keys") -> list[paramiko.PKey]:
    """Keys pinned for ``host:port`` from known_hosts lines; comments and other hosts are ignored."""
    name = host_key_name(host, port)
    table = paramiko.HostKeys()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if line.startswith("@"):
            raise ConfigError(f"{source} line {number}: markers such as @cert-authority/@revoked are not supported")
        if len(fields) >= 2 and fields[0].startswith(("ssh-", "ecdsa-", "sk-")):
            fields = [name, *fields]  # "keytype base64": pinned for this profile's host
        entry = _entry(" ".join(fields), source, number)
        if entry is not None:
            for hostname in entry.hostnames:
                table.add(hostname, entry.key.get_name(), entry.key)
    found = table.lookup(name)
    if not found:
        raise ConfigError(f"{source}: no pinned host key for {name}; add the partner's known_hosts line")
    return [found[keytype] for keytype in found]


def _entry(line: str, source: str, number: int) -> HostKeyEntry | None:
    try:
        entry = HostKeyEntry.from_line(line, lineno=number)
    except (InvalidHostKey, paramiko.SSHException, binascii.Error, ValueError) as exc:
        raise ConfigError(f"{source} line {number}: not a known_hosts line: {exc}") from exc
    if entry is None:
        # paramiko returns None for lines it cannot use (unsupported key type, wrong field count)
        kind = line.split()[1] if len(line.split()) > 1 else "?"
        raise ConfigError(f"{source} line {number}: unsupported or malformed host key (type {kind!r})")
    return entry


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH style: ``ssh-ed25519 SHA256:base64``."""
    return f"{key.get_name()} {key.fingerprint}"


def fingerprint_of_line(public_line: str) -> str:
    """Fingerprint of an ``ssh-ed25519 AAAA...`` public key line (for docs and the CLI)."""
    keytype, b64 = public_line.split()[:2]
    return fingerprint(paramiko.PKey.from_type_string(keytype, base64.b64decode(b64)))


class PinnedKeysOnly(paramiko.RejectPolicy):
    """RejectPolicy that says what was offered and what is pinned. Never adds a key."""

    def __init__(self, host: str, port: int, pinned: list[paramiko.PKey]) -> None:
        self.host = host
        self.port = port
        self.pinned = [fingerprint(key) for key in pinned]

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> NoReturn:
        client.close()
        raise HostKeyMismatchError(self.host, self.port, fingerprint(key), self.pinned)


def install_pinned(client: paramiko.SSHClient, host: str, port: int, pinned: list[paramiko.PKey]) -> None:
    """Load only the pinned keys into ``client`` and refuse anything else."""
    table = client.get_host_keys()
    table.clear()
    name = host_key_name(host, port)
    for key in pinned:
        table.add(name, key.get_name(), key)
    client.set_missing_host_key_policy(PinnedKeysOnly(host, port, pinned))
