"""Every YAML configuration loader says where a file stops being YAML, and never echoes the line
(PyYAML's own message quotes it, and a config line can hold a password or a token). Hostile files
(deep nesting, huge numbers, alias bombs, bytes at random) end as a ``ConfigError`` naming the file
and the line, never as a traceback: all six loaders share ``crossdock.config_yaml.load_yaml``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossdock.actors.flow_config import load_flow_config
from crossdock.bridges.sftp.profile import load_profile
from crossdock.bridges.soap.profile import load_erp_profile
from crossdock.edi.partners import load_partner_profile
from crossdock.errors import ConfigError
from crossdock.settings import load_settings
from crossdock.soap.mapping_config import load_mapping

BROKEN = b"name: acme\npassword: \"s3cret-Pa55\n  token: [unclosed\n"


def _from_file(load: Callable[[Path], object]) -> Callable[[bytes, Path], object]:
    def run(data: bytes, folder: Path) -> object:
        path = folder / "config.yaml"
        path.write_bytes(data)
        return load(path)

    return run


LOADERS: dict[str, Callable[[bytes, Path], object]] = {
    "flows": _from_file(load_flow_config),
    "sftp profile": _from_file(load_profile),
    "erp profile": lambda data, folder: load_erp_profile(data, "erp.yaml", folder, environ={}),
    "partner profile": lambda data, folder: load_partner_profile(data, name_hint="partner.yaml"),
    "erp mapping": lambda data, folder: load_mapping(data, "mapping.yaml"),
    "settings": _from_file(lambda path: load_settings(path, environ={})),
}


@pytest.mark.parametrize("loader", LOADERS.values(), ids=list(LOADERS))
def test_bad_yaml_is_located_without_quoting_the_line(loader: Callable[[bytes, Path], object], tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        loader(BROKEN, tmp_path)
    message = str(caught.value)
    assert "not valid YAML" in message and "line " in message
    assert "s3cret" not in message and caught.value.__cause__ is None


ALIAS_BOMB = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(  # nine lines, 10**9 values once expanded
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]\n".encode()
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
HOSTILE = {
    "deep flow nesting": (b"a: " + b"[" * 5000 + b"]" * 5000, "nesting deeper than 64 levels at line 1"),
    "deep block nesting": (b"a:\n  " + b"- " * 3000 + b"x\n", "nesting deeper than 64 levels at line 2"),
    "5,000-digit integer": (b"name: acme\nretries: " + b"7" * 5000 + b"\n", "number of 5000 characters, more than"),
    "impossible date": (b"name: acme\nsince: 2024-13-45\n", "cannot read this timestamp (ValueError) at line 2"),
    "alias bomb": (ALIAS_BOMB, "expands to more than 100000 values at line"),
    "recursive alias": (b"a: &a [1, *a]\n", "alias refers to the collection it is inside at line 1"),
    "huge scalar": (b"name: " + b"x" * 100_000 + b"\n", "a value of 100000 characters"),
}


@pytest.mark.parametrize("loader", LOADERS.values(), ids=list(LOADERS))
@pytest.mark.parametrize("case", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_yaml_is_a_located_config_error(
    loader: Callable[[bytes, Path], object], case: tuple[bytes, str], tmp_path: Path
) -> None:
    data, expected = case
    with pytest.raises(ConfigError) as caught:
        loader(data, tmp_path)
    message = str(caught.value)
    assert expected in message and len(message) < 500
    assert any(name in message for name in ("config.yaml", "erp.yaml", "partner.yaml", "mapping.yaml"))


def test_ten_thousand_lines_of_nesting_print_one_line(tmp_path: Path) -> None:
    """What `sftp check` met: the error is one short line, with no cause to print a traceback from."""
    with pytest.raises(ConfigError) as caught:
        LOADERS["sftp profile"](b"a: " + b"[" * 10_000, tmp_path)
    assert "\n" not in str(caught.value) and caught.value.__cause__ is None


# bounded in count and time: 60 examples per loader, none allowed 5 s (each takes milliseconds)
FUZZ = settings(
    max_examples=60, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TOKENS = [
    "a", "name", ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&x ", "*x", "&y ", "*y", "<<: *x", "!!binary ",
    "!!int ", "!!float ", "!!set ", "? ", "'", '"', "#", "|", ">", "---", "...", "\n", "\n  ", "\n    ", "\t",
    "2024-13-45", "12:30:61", "0x", "0o", "1_000", "9" * 400, "1e999", ".nan", "~", "null", "yes", "\u00e9", "\x00",
]
yaml_like = st.lists(st.sampled_from(TOKENS), max_size=60).map(lambda parts: "".join(parts).encode())
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40), st.dates())
documents = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=30,
).map(lambda value: yaml.safe_dump(value, default_flow_style=None).encode())


@pytest.mark.parametrize("loader", LOADERS.values(), ids=list(LOADERS))
@FUZZ
@given(data=st.one_of(yaml_like, documents, st.binary(max_size=200)))
def test_any_bytes_load_or_give_a_config_error(
    loader: Callable[[bytes, Path], object], data: bytes, tmp_path: Path
) -> None:
    try:
        loader(data, tmp_path)
    except ConfigError as exc:
        assert "Traceback" not in str(exc) and len(str(exc)) < 8192
