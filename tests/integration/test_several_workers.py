"""Several hosts, as far as one machine shows them: two ``crossdock worker`` processes started as
separate OS processes (each its own session and process group, sharing nothing but RabbitMQ and
PostgreSQL), fed by ``crossdock rest serve`` and ``crossdock sftp poll --enqueue``. 500 orders (250
signed Shopify webhooks, 250 buyer 850 files) are each booked once in the ERP and sent once to the 3PL.
Counted from the outside: the ERP simulator's database file and the 940 files on the 3PL's SFTP folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.rabbitmq import Vhost
from tests.fixtures.site import Site, wait_until
from tests.fixtures.sshd import SshServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WEBHOOK_ORDERS = 250
FILE_ORDERS = 250


@pytest.fixture
def db_backend() -> str:
    return "postgresql"  # two processes writing at once: PostgreSQL, as production runs it


def test_two_worker_processes_book_and_send_each_of_500_orders_once(
    rabbitmq_vhost: Vhost, migrated_db_url: str, sshd: SshServer, tmp_path: Path
) -> None:
    erp = ErpSimServer(database=tmp_path / "erp-sim.db").start()
    site = Site(tmp_path / "site", amqp_url=rabbitmq_vhost.amqp_url, db_url=migrated_db_url, sshd=sshd, erp=erp)
    try:
        # Given a site with two worker processes, the webhook receiver and the buyer's SFTP poller
        site.write_config()
        site.start_worker("worker-a")
        site.start_worker("worker-b")
        site.start_receiver()
        site.start_sftp_poller()
        wait_until(lambda: rabbitmq_vhost.queue_counts("erp")[1] == 2, 120, what="both workers consuming the erp lane")

        # When 500 orders arrive from both channels
        shopify_ids = site.post_shopify_orders(WEBHOOK_ORDERS)
        pos = site.drop_850s(range(1, FILE_ORDERS + 1))
        expected = set(shopify_ids) | set(pos)
        assert len(expected) == WEBHOOK_ORDERS + FILE_ORDERS

        def all_sent() -> bool:
            alive = site.alive()
            if len(alive) < 4:
                raise AssertionError(f"a crossdock process ended: only {alive} run\n{site.log('worker-a')}")
            return site.delivered().orders >= len(expected)

        wait_until(all_sent, 600, what=f"940s for {len(expected)} orders (have {site.delivered().orders})")

        # Then each order was booked once in the ERP and sent once to the 3PL, in a file of its own number
        delivered = site.delivered()
        assert set(delivered.by_order) == expected
        assert delivered.doubled() == {}
        assert delivered.shared_isa13() == {}
        assert delivered.files == len(expected)
        booked = site.erp_orders()
        assert set(booked) == expected
        assert set(booked.values()) == {1}
    finally:
        site.stop()
        erp.stop()
