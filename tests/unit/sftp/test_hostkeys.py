from __future__ import annotations

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crossdock.bridges.sftp.hostkeys import fingerprint_of_line, host_key_name, parse_pinned
from crossdock.errors import ConfigError


def public_line() -> str:
    key = Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def test_key_names_follow_openssh() -> None:
    assert host_key_name("sftp.example", 22) == "sftp.example"
    assert host_key_name("10.0.0.5", 2222) == "[10.0.0.5]:2222"


def test_bare_key_line_is_pinned_for_the_profile_host() -> None:
    line = public_line()
    keys = parse_pinned([line], "sftp.example", 2222)
    assert [f"ssh-ed25519 {k.fingerprint}" for k in keys] == [fingerprint_of_line(line)]


def test_only_entries_for_this_host_are_used() -> None:
    ours, theirs = public_line(), public_line()
    lines = ["# comment", "", f"other.example {theirs}", f"[sftp.example]:2222,10.0.0.5 {ours}"]
    keys = parse_pinned(lines, "sftp.example", 2222)
    assert [f"ssh-ed25519 {k.fingerprint}" for k in keys] == [fingerprint_of_line(ours)]


def test_hashed_host_names_match() -> None:
    line = public_line()
    hashed = paramiko.HostKeys.hash_host("sftp.example")
    assert len(parse_pinned([f"{hashed} {line}"], "sftp.example", 22)) == 1


def test_no_entry_for_this_host_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"no pinned host key for \[sftp.example\]:2222"):
        parse_pinned([f"sftp.example {public_line()}"], "sftp.example", 2222)


@pytest.mark.parametrize(
    "bad",
    ["sftp.example ssh-ed25519 not-base64!!", "sftp.example ssh-foo AAAA", "@cert-authority * ssh-ed25519 AAAA"],
)
def test_malformed_lines_name_their_line_number(bad: str) -> None:
    with pytest.raises(ConfigError, match="line 2"):
        parse_pinned(["# first", bad], "sftp.example", 22)
