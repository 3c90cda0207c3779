"""The flow configuration file: loads the bundled example, names the field on errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.actors.flow_config import flow_config_from_dict, load_flow_config
from crossdock.actors.handlers.outbound import FolderOutbound
from crossdock.actors.wiring import build_ports, flows_file
from crossdock.errors import ConfigError
from crossdock.settings import load_settings
from crossdock.store import Store
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "flows" / "flows.yaml"


def test_the_bundled_example_builds_ports_without_connecting(sqlite_store: Store) -> None:
    config = load_flow_config(EXAMPLE)
    assert config.partners[0].edi == EXAMPLE.parent / "../partners/northstar-3pl.yaml"
    ports = build_ports(config, sqlite_store)  # loads the packaged WSDL offline; no socket (unit tests forbid them)
    assert ports.names == ["northstar-3pl", "acme-retail"]
    assert isinstance(ports.partner("northstar-3pl").outbound, FolderOutbound)
    assert ports.partner_for_sender("ACMERETAIL") is ports.partner("acme-retail")
    assert ports.item_map["CD-SOCK-6PK"] == "ITEM-3"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"warehouse_partner": ""}, "warehouse_partner"),
        ({"partners": [{"edi": "x.yaml"}]}, "exactly one of sftp"),
        ({"erp": {"endpoint": "ftp://x"}}, "erp.endpoint"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_errors_name_the_field(change: dict[str, object], message: str) -> None:
    data = {"warehouse_partner": "a", "erp": {"endpoint": "http://127.0.0.1:1/erp"},
            "partners": [{"edi": "a.yaml", "outbound_folder": "out"}], **change}  # fmt: skip
    with pytest.raises(ConfigError, match=message):
        flow_config_from_dict(data, base=Path("/tmp"))


def test_an_unknown_warehouse_partner_fails_at_boot(sqlite_store: Store) -> None:
    config = load_flow_config(EXAMPLE).model_copy(update={"warehouse_partner": "nobody"})
    with pytest.raises(ConfigError, match="nobody"):
        build_ports(config, sqlite_store)


def test_the_worker_needs_partners_path() -> None:
    with pytest.raises(ConfigError, match="partners_path"):
        flows_file(load_settings(environ={}))
