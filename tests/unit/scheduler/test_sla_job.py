"""The scheduler's ``sla-overdue`` job and flows.yaml's ``sla:`` section, on a real SQLite store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crossdock.actors.flow_config import load_flow_config
from crossdock.actors.scheduler import build_jobs
from crossdock.actors.sla_watch import deadlines_of
from crossdock.errors import ConfigError
from crossdock.settings import Settings
from crossdock.store import DocRef, DocType, ItemStatus, Store
from tests.fixtures.outbox import send
from tests.unit.scheduler.test_schedule import write_flows


def test_the_sla_job_opens_one_item_per_overdue_document_however_often_it_runs(
    sqlite_store: Store, tmp_path: Path
) -> None:
    # Given a 940 delivered a moment ago, and deadlines of nothing for its 997 and its 945
    send(sqlite_store, "northstar-3pl", "940", 4, DocRef(DocType.WAREHOUSE_ORDER, "PO-4"), {"warehouse_order": "PO-4"})
    config = load_flow_config(write_flows(tmp_path, schedule=[{"job": "sla-overdue", "every": "5m"}],
                                          sla={"deadlines": {"940-997": "0s", "940-945": "0s"}}))  # fmt: skip
    [job] = build_jobs(Settings(), config, sqlite_store)
    assert job.name == "sla-overdue"
    # When it runs twice
    assert job.run() == "2 overdue (940-945 1, 940-997 1), 2 work items opened"
    assert job.run() == "2 overdue (940-945 1, 940-997 1), 0 work items opened"
    # Then the warehouse team and the integration team each have one item
    items = sqlite_store.exceptions.items(status=ItemStatus.OPEN)
    assert sorted((i.owner.value, i.code) for i in items) == [
        ("integration", "overdue:940-997"), ("warehouse", "overdue:940-945")]  # fmt: skip


def test_the_acks_overdue_job_still_runs_the_997_kinds_alone(sqlite_store: Store, tmp_path: Path) -> None:
    send(sqlite_store, "northstar-3pl", "940", 4, DocRef(DocType.WAREHOUSE_ORDER, "PO-4"), {"warehouse_order": "PO-4"})
    config = load_flow_config(write_flows(tmp_path, schedule=[{"job": "acks-overdue", "hours": 1, "every": "5m"}]))
    [job] = build_jobs(Settings(), config, sqlite_store)
    assert job.run() == "0 overdue, 0 work items opened"  # sent a moment ago


def test_sla_defaults_and_overrides(tmp_path: Path) -> None:
    sla = {"lookback_days": 7, "deadlines": {"940-945": "2d", "shipment-invoice": 12},
           "partners": {"northstar-3pl": {"940-997": "4h"}}, "channels": {"amazon": {"945-confirmation": "1h"}}}
    shopify = {"base_url": "https://shop.example", "token_env": "SHOP_TOKEN"}
    config = load_flow_config(write_flows(tmp_path, marketplaces={"shopify": shopify}, sla=sla))
    deadlines = deadlines_of(config)
    assert deadlines.of("940-997", "northstar-3pl") == timedelta(hours=4)
    assert deadlines.of("940-997", "acme-retail") == timedelta(hours=24)  # the default
    assert deadlines.of("940-945", "northstar-3pl") == timedelta(days=2)
    assert deadlines.of("shipment-invoice", "shopify") == timedelta(hours=12)
    assert deadlines.of("945-confirmation", "shopify") == timedelta(hours=4)
    assert deadlines.of("945-confirmation", "walmart") is None  # no marketplaces.walmart: never confirmed
    assert deadlines.of("945-confirmation", "amazon") == timedelta(hours=1)  # said so under channels
    assert deadlines.lookback == timedelta(days=7)
    assert deadlines.shortest("945-confirmation") == timedelta(hours=1)


@pytest.mark.parametrize(
    ("sla", "problem"),
    [
        ({"deadlines": {"940-998": "1h"}}, "sla.deadlines.*'940-998' is not a kind"),
        ({"deadlines": {"940-997": "soon"}}, "sla.deadlines.*940-997: 'soon' is not a period"),
        ({"partners": {"northstar-3pl": {"940-997": True}}}, "sla.partners.*not true"),
        ({"lookback_days": 0}, "sla.lookback_days"),
        ({"deadline": {}}, "sla.deadline"),
    ],
)
def test_a_bad_sla_section_is_a_config_error_naming_it(tmp_path: Path, sla: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_flow_config(write_flows(tmp_path, sla=sla))
