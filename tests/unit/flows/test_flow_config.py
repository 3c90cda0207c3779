"""The flow configuration file: loads the bundled example, names the field on errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.actors.flow_config import flow_config_from_dict, load_flow_config
from crossdock.actors.handlers.outbound import FolderOutbound
from crossdock.actors.wiring import build_marketplaces, build_order_poller, build_ports, flows_file
from crossdock.bridges.rest.amazon import AmazonAdapter
from crossdock.bridges.rest.shopify import ShopifyAdapter
from crossdock.bridges.rest.walmart import WalmartAdapter
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
    assert (ports.partner("acme-retail").invoice, ports.partner("northstar-3pl").invoice) == (True, False)


BASE = {"warehouse_partner": "a", "erp": {"endpoint": "http://127.0.0.1:1/erp"},
        "partners": [{"edi": "a.yaml", "outbound_folder": "out"}]}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"warehouse_partner": ""}, "warehouse_partner"),
        ({"partners": [{"edi": "x.yaml"}]}, "exactly one of sftp"),
        ({"erp": {"endpoint": "ftp://x"}}, "erp.endpoint"),
        ({"surprise": 1}, "surprise"),
        ({"amendments": {"ebay": {}}}, "amendments.ebay: not a channel"),
        ({"amendments": {"shopify": {"after_release": "sometimes"}}}, "amendments.shopify.after_release"),
        ({"amendments": {"shopify": {"window_h": 0}}}, "amendments.shopify.window_h"),
        ({"partners": [{"edi": "a.yaml", "outbound_folder": "out", "invoice": "sometimes"}]}, "partners.0.invoice"),
    ],
)
def test_errors_name_the_field(change: dict[str, object], message: str) -> None:
    data = {"warehouse_partner": "a", "erp": {"endpoint": "http://127.0.0.1:1/erp"},
            "partners": [{"edi": "a.yaml", "outbound_folder": "out"}], **change}  # fmt: skip
    with pytest.raises(ConfigError, match=message):
        flow_config_from_dict(data, base=Path("/tmp"))


def test_amendment_rules_reach_the_ports(sqlite_store: Store) -> None:
    from datetime import timedelta

    from crossdock.canonical.lifecycle import AfterRelease

    config = load_flow_config(EXAMPLE).model_copy(update={"amendments": flow_config_from_dict(
        {**BASE, "amendments": {"shopify": {"window_h": 2}, "edi": {"after_release": "exception"}}},
        base=Path("/tmp")).amendments})  # fmt: skip
    ports = build_ports(config, sqlite_store)
    assert ports.amendments["shopify"].window == timedelta(hours=2)
    assert ports.amendments["edi"].after_release is AfterRelease.EXCEPTION and ports.amendments["edi"].window is None


def test_an_unknown_warehouse_partner_fails_at_boot(sqlite_store: Store) -> None:
    config = load_flow_config(EXAMPLE).model_copy(update={"warehouse_partner": "nobody"})
    with pytest.raises(ConfigError, match="nobody"):
        build_ports(config, sqlite_store)


def test_the_worker_needs_config_dir() -> None:
    with pytest.raises(ConfigError, match="CROSSDOCK_CONFIG_DIR"):
        flows_file(load_settings(environ={}))


SHOPIFY = {"base_url": "https://crossdock-test.myshopify.com", "token_env": "CROSSDOCK_SHOPIFY_TOKEN",
           "api_version": "2024-04"}  # fmt: skip


def test_a_configured_marketplace_is_built_with_the_token_from_its_environment_variable(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSDOCK_SHOPIFY_TOKEN", "shpat_from_env")
    marketplaces = flow_config_from_dict({**BASE, "marketplaces": {"shopify": SHOPIFY}}, base=Path("/")).marketplaces
    config = load_flow_config(EXAMPLE).model_copy(update={"marketplaces": marketplaces})
    # building connects nowhere (unit tests have no sockets)
    ports = build_ports(config, sqlite_store)
    shopify = ports.marketplaces["shopify"]
    assert isinstance(shopify, ShopifyAdapter) and shopify.base == "/admin/api/2024-04"
    ports.close()
    # a producer process (sftp poll --enqueue, rest serve) builds none, and needs no token
    monkeypatch.delenv("CROSSDOCK_SHOPIFY_TOKEN")
    assert build_ports(config, sqlite_store, marketplaces={}).marketplaces == {}


def test_a_missing_token_names_the_variable(sqlite_store: Store) -> None:
    config = flow_config_from_dict({**BASE, "marketplaces": {"shopify": SHOPIFY}}, base=Path("/"))
    with pytest.raises(ConfigError, match=r"marketplaces\.shopify: the environment variable CROSSDOCK_SHOPIFY_TOKEN"):
        build_marketplaces(config.marketplaces, {"CROSSDOCK_SHOPIFY_TOKEN": "  "})


def test_a_token_written_in_the_file_is_refused_without_repeating_it() -> None:
    data = {**BASE, "marketplaces": {"shopify": {**SHOPIFY, "token": "shpat_secret_in_yaml"}}}
    with pytest.raises(ConfigError, match=r"marketplaces\.shopify\.token") as caught:
        flow_config_from_dict(data, base=Path("/"))
    assert "shpat_secret_in_yaml" not in str(caught.value)


@pytest.mark.parametrize(
    ("marketplace", "message"),
    [
        ({**SHOPIFY, "base_url": "https://user:pw@shop.example"}, "base_url"),
        ({**SHOPIFY, "token_env": "NOT-A-NAME"}, "token_env"),
        ({**SHOPIFY, "api_version": "latest"}, "api_version"),
    ],
)
def test_marketplace_errors_name_the_field(marketplace: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        flow_config_from_dict({**BASE, "marketplaces": {"shopify": marketplace}}, base=Path("/"))
    assert "pw@" not in str(caught.value)


def test_a_channel_crossdock_cannot_confirm_to_is_refused_at_boot() -> None:
    config = flow_config_from_dict({**BASE, "marketplaces": {"ebay": SHOPIFY}}, base=Path("/"))
    with pytest.raises(ConfigError, match="cannot confirm shipments to 'ebay'"):
        build_marketplaces(config.marketplaces, {"CROSSDOCK_SHOPIFY_TOKEN": "x"})


AMAZON = {"base_url": "https://sellingpartnerapi-na.amazon.com", "token_env": "CROSSDOCK_AMAZON_TOKEN",
          "marketplace_id": "ATVPDKIKX0DER", "page_size": 20}  # fmt: skip
WALMART = {"base_url": "https://marketplace.walmartapis.com", "token_env": "CROSSDOCK_WALMART_TOKEN"}


def test_polled_channels_build_their_poller_and_the_worker_confirms_shipments_to_them() -> None:
    config = flow_config_from_dict({**BASE, "marketplaces": {"amazon": AMAZON, "walmart": WALMART}}, base=Path("/"))
    # the worker confirms shipments to them, with their tokens
    env = {"CROSSDOCK_AMAZON_TOKEN": "Atza|from-env", "CROSSDOCK_WALMART_TOKEN": "wm-from-env"}
    ports = build_marketplaces(config.marketplaces, env)
    assert isinstance(ports["amazon"], AmazonAdapter) and isinstance(ports["walmart"], WalmartAdapter)
    for port in ports.values():
        port.close()
    with pytest.raises(ConfigError, match=r"marketplaces\.walmart: the environment variable CROSSDOCK_WALMART_TOKEN"):
        build_marketplaces(config.marketplaces, {"CROSSDOCK_AMAZON_TOKEN": "Atza|from-env"})
    poller, client = build_order_poller(config, "amazon", {"CROSSDOCK_AMAZON_TOKEN": "Atza|from-env"})
    assert isinstance(poller, AmazonAdapter) and poller.marketplace_id == "ATVPDKIKX0DER" and poller.page_size == 20
    client.close()
    poller, client = build_order_poller(config, "walmart", {"CROSSDOCK_WALMART_TOKEN": "wm-from-env"})
    assert isinstance(poller, WalmartAdapter) and poller.page_size == 100
    client.close()
    assert config.marketplaces["walmart"].lookback_h == 24


@pytest.mark.parametrize(
    ("channel", "entry", "problem"),
    [
        ("amazon", {**AMAZON, "auth": {"lwa": {"client_id": "x", "client_secret_env": "S", "refresh_token_env": "R"}}},
         "exactly one of token_env or auth"),
        ("walmart", {**WALMART, "token_env": None,
                     "auth": {"lwa": {"client_id": "x", "client_secret_env": "S", "refresh_token_env": "R"}}},
         "auth.lwa .Login with Amazon. is for amazon only"),
        ("amazon", {**AMAZON, "token_env": None, "auth": {}}, "exactly one of lwa .Amazon. or client_credentials"),
        ("walmart", {**WALMART, "token_env": None,
                     "auth": {"client_credentials": {"client_id_env": "I", "client_secret": "inline!"}}},
         "client_secret"),
    ],
)  # fmt: skip
def test_marketplace_auth_is_checked(channel: str, entry: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        flow_config_from_dict({**BASE, "marketplaces": {channel: entry}}, base=Path("/"))


def test_expiring_token_credentials_are_read_from_the_environment_they_name() -> None:
    auth = {"client_credentials": {"client_id_env": "WM_ID", "client_secret_env": "WM_SECRET"}}
    config = flow_config_from_dict(
        {**BASE, "marketplaces": {"walmart": {**WALMART, "token_env": None, "auth": auth}}}, base=Path("/")
    )
    with pytest.raises(ConfigError, match=r"WM_SECRET \(auth.client_credentials.client_secret_env\) is not set"):
        build_order_poller(config, "walmart", {"WM_ID": "id"})
    _, client = build_order_poller(config, "walmart", {"WM_ID": "id", "WM_SECRET": "s3cret"})
    assert "s3cret" not in repr(client.token)
    client.close()


def test_poller_configuration_errors_name_the_channel_and_variable_never_a_token() -> None:
    config = flow_config_from_dict({**BASE, "marketplaces": {"walmart": WALMART}}, base=Path("/"))
    with pytest.raises(ConfigError, match=r"marketplaces\.amazon is not configured"):
        build_order_poller(config, "amazon", {})
    with pytest.raises(ConfigError, match=r"marketplaces\.walmart: the environment variable CROSSDOCK_WALMART_TOKEN"):
        build_order_poller(config, "walmart", {"CROSSDOCK_WALMART_TOKEN": " "})
    with pytest.raises(ConfigError, match="not 'shopify'"):
        build_order_poller(config, "shopify", {})


@pytest.mark.parametrize(
    ("channel", "entry", "message"),
    [
        ("amazon", {k: v for k, v in AMAZON.items() if k != "marketplace_id"}, "marketplace_id is required"),
        ("walmart", {**WALMART, "marketplace_id": "ATVPDKIKX0DER"}, "marketplace_id is for amazon only"),
        ("amazon", {**AMAZON, "page_size": 500}, r"marketplaces\.amazon\.page_size"),
        ("walmart", {**WALMART, "lookback_h": 0}, r"marketplaces\.walmart\.lookback_h"),
        ("walmart", {**WALMART, "client_secret": "wm-secret-in-yaml"}, r"marketplaces\.walmart\.client_secret"),
    ],
)
def test_polled_channel_errors_name_the_field(channel: str, entry: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        flow_config_from_dict({**BASE, "marketplaces": {channel: entry}}, base=Path("/"))
    assert "wm-secret-in-yaml" not in str(caught.value)


def test_a_buyer_asks_for_855s_with_ack_855(sqlite_store: Store) -> None:
    config = load_flow_config(EXAMPLE)
    assert not build_ports(config, sqlite_store).partner("acme-retail").ack_855  # off unless asked
    asking = [p.model_copy(update={"ack_855": p.edi.name == "acme-retail.yaml"}) for p in config.partners]
    ports = build_ports(config.model_copy(update={"partners": asking}), sqlite_store)
    assert ports.partner("acme-retail").ack_855 and not ports.partner("northstar-3pl").ack_855
    with pytest.raises(ConfigError, match="ack_855"):
        flow_config_from_dict({**BASE, "partners": [{"edi": "a.yaml", "outbound_folder": "o", "ack_855": "maybe"}]},
                              base=Path("/"))  # fmt: skip
