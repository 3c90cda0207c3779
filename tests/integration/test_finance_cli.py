"""``crossdock settle import`` and ``crossdock settle report`` as a user runs them: ``python -m crossdock``
in a subprocess, PostgreSQL, the ERP simulator named in flows.yaml; a second import posts nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.erp_sim import ErpSimServer

pytestmark = pytest.mark.integration

DATA = Path(__file__).parents[1] / "data" / "settlements"
EXAMPLES = Path(__file__).parents[2] / "examples" / "partners"


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


def _crossdock(*args: str, url: str, partners: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": url, "CROSSDOCK_CONFIG_DIR": str(partners)}
    env.pop("CROSSDOCK_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "crossdock", *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.slow  # three `python -m crossdock` processes
def test_settle_import_posts_once_and_reports(migrated_db_url: str, erp_sim: ErpSimServer, tmp_path: Path) -> None:
    (tmp_path / "flows.yaml").write_text(
        f"warehouse_partner: northstar-3pl\nerp: {{endpoint: '{erp_sim.endpoint}', read_timeout_s: 10}}\n"
        f"partners:\n  - edi: {EXAMPLES / 'northstar-3pl.yaml'}\n    outbound_folder: {tmp_path / 'out'}\n"
        "finance: {tolerance: '0.10'}\n"
    )
    file = str(DATA / "shopify_payout.json")
    first = _crossdock(
        "settle", "import", file, "--channel", "shopify", "--json", url=migrated_db_url, partners=tmp_path
    )
    assert first.returncode == 0, first.stderr
    imported = json.loads(first.stdout)
    assert imported["lines_new"] == 6 and imported["unmatched_orders"] == 2
    [posting] = imported["postings"]
    assert posting["document_no"].startswith("JE-") and posting["lines_posted"] == 6 and posting["net"] == "90.05"

    again = _crossdock("settle", "import", file, "--channel", "shopify", url=migrated_db_url, partners=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "6 lines (0 new, 0 matched)" in again.stdout and "nothing new to post" in again.stdout

    report = _crossdock(
        "settle", "report", "--settlement", "623721858", "--json", url=migrated_db_url, partners=tmp_path
    )
    assert report.returncode == 0, report.stderr
    [row] = json.loads(report.stdout)["settlements"]
    assert (row["gross"], row["fees"], row["refunds"], row["paid_net"], row["matched_pct"]) == (
        "110.00", "-3.63", "-10.00", "90.05", 0.0,
    )  # fmt: skip
    assert row["posted_lines"] == 6 and row["open_exceptions"] == 2


def test_settle_import_of_a_file_that_is_not_a_report(migrated_db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "orders.csv"
    bad.write_text("id,total\n1,2\n")
    done = _crossdock("settle", "import", str(bad), "--channel", "walmart", url=migrated_db_url, partners=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: orders.csv, line 1: not a Walmart reconciliation report: no column Period End Date, Total Payable, "
        "Currency, Transaction Type, Amount, Amount Type"
    )
    assert "Traceback" not in done.stderr


def test_settle_with_a_bad_database_url_is_one_line() -> None:
    done = _crossdock("settle", "report", url="mysql://x/y", partners=Path("/nonexistent"))
    assert done.returncode == 2 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr
