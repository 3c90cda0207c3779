"""The ERP's outage window and call pace reach the breaker and the gateway a worker builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.actors.flow_config import flow_config_from_dict
from crossdock.actors.wiring import build_erp
from crossdock.bridges.soap import ErpConnection, ErpGateway, build_breaker, build_pacer, load_erp_profile
from crossdock.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]


def test_defaults_wait_twelve_hours_and_pace_fifty_calls_per_second() -> None:
    connection = ErpConnection(endpoint="http://127.0.0.1:8089/erp")
    assert build_breaker(connection).outage_window_s == 12 * 3600
    pacer = build_pacer(connection)
    assert pacer is not None and pacer.rate == 50


def test_null_pace_means_unpaced() -> None:
    assert build_pacer(ErpConnection(endpoint="http://127.0.0.1:8089/erp", max_calls_per_s=None)) is None


def test_flows_yaml_erp_settings_reach_the_workers_gateway(tmp_path: Path) -> None:
    partner = ROOT / "examples" / "partners" / "northstar-3pl.yaml"
    config = flow_config_from_dict(
        {
            "warehouse_partner": "northstar-3pl",
            "erp": {"endpoint": "http://127.0.0.1:8089/erp", "outage_window_s": 3600, "max_calls_per_s": 7.5},
            "partners": [{"edi": str(partner), "outbound_folder": str(tmp_path)}],
        },
        base=tmp_path,
    )
    gateway = build_erp(config)
    assert isinstance(gateway, ErpGateway)
    assert gateway.client.breaker.outage_window_s == 3600
    assert gateway.pacer is not None and gateway.pacer.rate == 7.5


def test_an_erp_profile_takes_them_too() -> None:
    connection, _ = load_erp_profile(
        b"endpoint: http://127.0.0.1:8089/erp\noutage_window_s: 600\nmax_calls_per_s: 2\n", "erp.yaml", Path(".")
    )
    assert (connection.outage_window_s, connection.max_calls_per_s) == (600, 2)


@pytest.mark.parametrize("field", ["outage_window_s: -1", "max_calls_per_s: 0"])
def test_impossible_values_are_refused(field: str) -> None:
    with pytest.raises(ConfigError, match=field.split(":")[0]):
        load_erp_profile(f"endpoint: http://127.0.0.1:8089/erp\n{field}\n".encode(), "erp.yaml", Path("."))
