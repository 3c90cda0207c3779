"""The ops console in a real headless Chromium (Debian's ``chromium`` + ``chromium-driver``, driven by
Selenium), against real RabbitMQ, PostgreSQL, a worker process and the ERP simulator: an operator logs
in, finds the parked order, fixes the cause, reprocesses it from the console and sees it resolved and
booked in the ERP once.

Set ``CROSSDOCK_CONSOLE_SCREENSHOT=docs/console.png`` to refresh the overview screenshot in the docs.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossdock.bridges.rest.serving import ServerThread
from crossdock.bridges.rest.sim.seed import shopify_orders
from crossdock.console import ConsoleContext, create_app, load_console_config
from crossdock.console.config import hash_password
from crossdock.settings import Settings
from crossdock.store import ItemStatus, Store
from tests.conftest import ROOT, service_unavailable
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.rabbitmq import Vhost, WorkerProcesses, wait_for
from tests.integration.test_recovery_orders import ITEM_MAP, Site

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
PASSWORD = "a long operator passphrase"


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


@pytest.fixture
def browser() -> Iterator[object]:
    if not (CHROMIUM.exists() and DRIVER.exists()):
        service_unavailable(
            "Debian's chromium and chromium-driver are not installed (scripts/services.sh installs them)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1440,1000", "--no-first-run", "--disable-extensions"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(str(DRIVER)))
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def site(
    rabbitmq_vhost: Vhost, migrated_db_url: str, worker_processes: WorkerProcesses, erp: ErpSimServer, tmp_path: Path
) -> Iterator[Site]:
    env = {
        "CROSSDOCK_BROKER_URL": rabbitmq_vhost.amqp_url,
        "CROSSDOCK_DATABASE_URL": migrated_db_url,
        "CROSSDOCK_CONFIG_DIR": str(tmp_path),
        "CROSSDOCK_DATA_DIR": str(tmp_path),
        "CROSSDOCK_MAX_RETRIES": "2",
        "CROSSDOCK_MIN_BACKOFF_MS": "100",
        "CROSSDOCK_MAX_BACKOFF_MS": "400",
    }
    store = Store.from_url(migrated_db_url)
    try:
        yield Site(tmp_path, env, store, worker_processes, erp, rabbitmq_vhost)
    finally:
        worker_processes.stop_all()
        store.close()


@pytest.fixture
def console_url(site: Site, tmp_path: Path) -> Iterator[str]:
    config_path = tmp_path / "console.yaml"
    config_path.write_text(
        f"users:\n  - {{name: ana, role: operator, password_hash: '{hash_password(PASSWORD)}'}}\n"
    )  # secure cookies: Chromium keeps them on http://localhost
    config = load_console_config(config_path, {"CROSSDOCK_CONSOLE_SECRET": "c" * 40})
    settings = Settings(
        broker_url=site.vhost.amqp_url, rabbitmq_management_url="http://127.0.0.1:15672", network_timeout_s=10
    )
    with ServerThread(create_app(ConsoleContext(site.store, settings, config))) as server:
        yield server.url.replace("127.0.0.1", "localhost")


def until(driver: object, condition: object, seconds: float, what: str, *, reload: bool = True) -> None:
    """Reload the page (bounded) until ``condition(driver)`` holds."""
    deadline = time.monotonic() + seconds
    while not condition(driver):  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}: {driver.page_source[-2000:]}")  # type: ignore[attr-defined]
        time.sleep(1)
        if reload:
            driver.refresh()  # type: ignore[attr-defined]


def test_an_operator_reprocesses_a_parked_order_from_the_console_and_sees_it_booked(
    site: Site, console_url: str, browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    find = driver.find_element  # type: ignore[attr-defined]

    # Given a Shopify order parked at orders.to_erp: the channel has no ERP customer yet
    bodies = shopify_orders(1, seed=17, first_id=5_300_000_001)
    order_id = str(bodies[0]["id"])
    site.configure(item_map=ITEM_MAP, channel_customers={})
    site.receive(bodies)
    wait_for(lambda: len(site.items(ItemStatus.OPEN)) == 1, 120, message=f"the parked order:\n{site.logs()}")

    # When the operator logs in
    driver.get(console_url + "/")  # type: ignore[attr-defined]
    assert driver.current_url.endswith("/login")  # type: ignore[attr-defined]
    find(By.NAME, "username").send_keys("ana")
    find(By.NAME, "password").send_keys(PASSWORD)
    find(By.CSS_SELECTOR, "form.login button").click()

    # Then the overview shows the lanes from RabbitMQ, the open item and the parked order; htmx runs
    until(driver, lambda d: "Overview" in d.page_source and "integration" in d.page_source, 20, "the overview")

    def consumers(d: object) -> str:
        return str(d.find_element(By.CSS_SELECTOR, "#lane-orders td:nth-child(4)").text)  # type: ignore[attr-defined]

    until(driver, lambda d: consumers(d) not in ("0", "-"), 30, "the worker's consumers in the management API")
    assert driver.execute_script("return typeof htmx") == "object"  # type: ignore[attr-defined]
    panel = find(By.ID, "panel").text
    assert "orders" in panel and "parked" in panel and "shopify" in panel and "no broker URL" not in panel
    shot = tmp_path / "console.png"
    driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert shot.stat().st_size > 10_000
    if target := os.environ.get("CROSSDOCK_CONSOLE_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / target)

    # And the overview refreshes itself (htmx replaces the panel, the page is not reloaded)
    stamp = find(By.CSS_SELECTOR, "#panel p.muted").text
    driver.execute_script("document.title = 'not reloaded'")  # type: ignore[attr-defined]
    until(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#panel p.muted").text != stamp, 30,
          "htmx refreshing the overview", reload=False)  # fmt: skip
    assert driver.title == "not reloaded"  # type: ignore[attr-defined]

    # When they find the parked order among the exceptions and open it
    find(By.LINK_TEXT, "Exceptions").click()
    find(By.NAME, "channel").send_keys("shopify")
    find(By.CSS_SELECTOR, "form.filters button").click()
    [item] = site.items(ItemStatus.OPEN)
    find(By.LINK_TEXT, f"#{item.id}").click()
    assert "MappingError" in driver.page_source and order_id in driver.page_source  # type: ignore[attr-defined]

    # And, the customer now configured, reprocess it with a note
    site.configure(item_map=ITEM_MAP, channel_customers={"shopify": "C10000"})
    find(By.NAME, "note").send_keys("shopify customer C10000 configured")
    find(By.CSS_SELECTOR, "button[value=reprocess]").click()
    assert "reprocessed 1: payload" in find(By.CLASS_NAME, "flash").text

    # Then the item is shown resolved by them, and the trace shows the ERP order
    until(driver, lambda d: "status-resolved" in d.page_source, 120, f"the resolved item:\n{site.logs()}")
    assert "closed by" in driver.page_source and "ana" in find(By.CSS_SELECTOR, "dl.facts").text  # type: ignore[attr-defined]
    driver.get(f"{console_url}/trace?key={order_id}")  # type: ignore[attr-defined]
    until(driver, lambda d: "erp_order" in d.page_source and "succeeded" in d.page_source, 60, "the booked order")
    booked = site.erp_orders(bodies)
    assert [len(ids) for ids in booked.values()] == [1], booked
    assert [e.who for e in site.store.audit.entries(action="reprocess")] == ["ana"]
