"""The ``inventory:`` section and the ``erp-inventory-pull`` job in flows.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crossdock.actors.flow_config import flow_config_from_dict
from crossdock.actors.wiring import build_inventory
from crossdock.bridges.rest.inventory import AmazonInventory, ShopifyInventory, WalmartInventory
from crossdock.errors import ConfigError
from crossdock.store import Store

BASE: dict[str, Any] = {
    "warehouse_partner": "northstar-3pl",
    "erp": {"endpoint": "http://127.0.0.1:9/erp"},
    "partners": [{"edi": "p.yaml", "outbound_folder": "out"}],
    "marketplaces": {
        "shopify": {"base_url": "http://127.0.0.1:9", "token_env": "T_SHOP"},
        "walmart": {"base_url": "http://127.0.0.1:9", "token_env": "T_WM"},
        "amazon": {"base_url": "http://127.0.0.1:9", "token_env": "T_AMZ", "marketplace_id": "ATVPDKIKX0DER"},
    },
}
INVENTORY = {
    "location": "COL1",
    "channels": {"shopify": {}, "walmart": {"fixed": 3}, "amazon": {"share": 0.5}},
    "push": {"shopify": {"location_id": 7, "item_ids": {"A": 1}}, "walmart": {}, "amazon": {"seller_id": "S1"}},
    "kits": {"K": {"A": 2}},
}


def test_the_section_builds_rules_and_one_adapter_per_push_target_without_connecting() -> None:
    config = flow_config_from_dict({**BASE, "inventory": INVENTORY, "schedule": [
        {"job": "erp-inventory-pull", "every": "15m"}]}, base=Path("."))  # fmt: skip
    assert config.schedule[0].name == "erp-inventory-pull"
    ports = build_inventory(config, {"T_SHOP": "s", "T_WM": "w", "T_AMZ": "a"})
    assert ports is not None and ports.location == "COL1"
    assert ports.rules.kits_using("A") == ["K"]
    assert [type(ports.channels[c]) for c in ("shopify", "walmart", "amazon")] == [
        ShopifyInventory, WalmartInventory, AmazonInventory]  # fmt: skip
    ports.close()


def test_several_shopify_locations_get_one_adapter_each_and_the_single_location_still_works() -> None:
    push = {"shopify": {"locations": {7: ["COL1"], 8: ["STORE1", "STORE2"]}, "item_ids": {"A": 1}}}
    config = flow_config_from_dict({**BASE, "inventory": {**INVENTORY, "push": push}}, base=Path("."))
    ports = build_inventory(config, {"T_SHOP": "s"})
    assert ports is not None
    assert ports.split == {"shopify": {"shopify@7": ("COL1",), "shopify@8": ("STORE1", "STORE2")}}
    shops = {name: channel for name, channel in ports.channels.items()}
    assert sorted(shops) == ["shopify@7", "shopify@8"]
    assert [s.location_id for s in shops.values() if isinstance(s, ShopifyInventory)] == [7, 8]
    ports.close()
    single = build_inventory(flow_config_from_dict({**BASE, "inventory": INVENTORY}, base=Path(".")),
                             {"T_SHOP": "s", "T_WM": "w", "T_AMZ": "a"})  # fmt: skip
    assert single is not None and single.split == {} and "shopify" in single.channels
    single.close()


@pytest.mark.parametrize(
    ("inventory", "marketplaces", "problem"),
    [
        ({**INVENTORY, "push": {"ebay": {}}}, None, "pushes inventory to shopify, walmart and amazon"),
        ({**INVENTORY, "push": {"shopify": {}}}, None, "give location_id"),
        ({**INVENTORY, "push": {"shopify": {"location_id": 7, "locations": {8: ["COL1"]}}}}, None, "give location_id"),
        ({**INVENTORY, "push": {"shopify": {"locations": {7: ["COL1"], 8: ["COL1"]}}}}, None, "feeds two"),
        ({"channels": {}, "push": {"walmart": {}}}, None, "no allocation rule"),
        (INVENTORY, {}, "marketplaces.shopify is not configured"),
    ],
)
def test_a_section_that_cannot_work_is_a_config_error_naming_it(
    inventory: dict[str, Any], marketplaces: dict[str, Any] | None, problem: str
) -> None:
    data = {**BASE, "inventory": inventory}
    if marketplaces is not None:
        data["marketplaces"] = marketplaces
    with pytest.raises(ConfigError, match=problem):
        flow_config_from_dict(data, base=Path("."))


def test_a_missing_token_names_the_variable_not_a_token() -> None:
    config = flow_config_from_dict({**BASE, "inventory": INVENTORY}, base=Path("."))
    with pytest.raises(ConfigError, match="T_WM"):
        build_inventory(config, {"T_SHOP": "s", "T_AMZ": "a"})


def test_a_partner_wanting_inventory_advice_needs_its_allocation_rule(sqlite_store: Store) -> None:
    from crossdock.actors.flow_config import load_flow_config
    from crossdock.actors.wiring import build_ports
    from tests.conftest import ROOT

    example = load_flow_config(ROOT / "examples" / "flows" / "flows.yaml")
    partners = [p.model_copy(update={"inventory_advice": p.edi.name == "acme-retail.yaml"}) for p in example.partners]
    without = example.model_copy(update={"partners": partners, "inventory": None})
    with pytest.raises(ConfigError, match=r"partner acme-retail: inventory_advice needs an inventory rule"):
        build_ports(without, sqlite_store, marketplaces={})
    rules = flow_config_from_dict({**BASE, "inventory": {"channels": {"acme-retail": {"share": 0.3}}}},
                                  base=Path(".")).inventory  # fmt: skip
    ports = build_ports(example.model_copy(update={"partners": partners, "inventory": rules}), sqlite_store,
                        marketplaces={})  # fmt: skip
    assert [p.name for p in ports.partners if p.inventory_advice] == ["acme-retail"]
