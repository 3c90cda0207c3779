"""Every YAML configuration loader says where a file stops being YAML, and never echoes the line
(PyYAML's own message quotes it, and a config line can hold a password or a token)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crossdock.actors.flow_config import load_flow_config
from crossdock.bridges.sftp.profile import load_profile
from crossdock.bridges.soap.profile import load_erp_profile
from crossdock.edi.partners import load_partner_profile
from crossdock.errors import ConfigError
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
}


@pytest.mark.parametrize("loader", LOADERS.values(), ids=list(LOADERS))
def test_bad_yaml_is_located_without_quoting_the_line(loader: Callable[[bytes, Path], object], tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        loader(BROKEN, tmp_path)
    message = str(caught.value)
    assert "not valid YAML" in message and "line " in message
    assert "s3cret" not in message and caught.value.__cause__ is None
