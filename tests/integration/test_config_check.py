"""``crossdock config check [--connect] [--json]`` as an operator runs it (a subprocess), against real
RabbitMQ and PostgreSQL, an sshd, and the ERP and marketplace simulators."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.marketplace import TOKEN_HEADERS, RunningSim
from tests.fixtures.rabbitmq import Vhost
from tests.fixtures.sshd import SshServer

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TOKENS = {"CHECK_SHOPIFY_TOKEN": TOKEN_HEADERS["shopify"]["X-Shopify-Access-Token"],
          "CHECK_AMAZON_TOKEN": TOKEN_HEADERS["amazon"]["x-amz-access-token"]}  # fmt: skip


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    full.update({"CROSSDOCK_DATA_DIR": str(tmp_path / "data"), "CROSSDOCK_CONFIG_DIR": str(tmp_path / "site"), **env})
    return subprocess.run([sys.executable, "-m", "crossdock", "config", "check", *args], env=full, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)  # fmt: skip


def write_site(tmp_path: Path, *, erp: str, sshd: SshServer | None = None, market: str | None = None) -> Path:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "examples" / "partners", site / "partners")
    threepl: dict[str, object] = {"edi": "partners/northstar-3pl.yaml", "erp_location_code": "MAIN"}
    if sshd is not None:
        (site / "northstar-3pl.sftp.yaml").write_text(yaml.safe_dump(sshd.profile_dict("northstar-3pl")))
        threepl["sftp"] = "northstar-3pl.sftp.yaml"
    else:
        threepl["outbound_folder"] = "out/northstar-3pl"
    flows: dict[str, object] = {
        "warehouse_partner": "northstar-3pl",
        "item_map": {"CD-TEE-BLK-M": "ITEM-1"},
        "erp": {"endpoint": erp, "read_timeout_s": 5},
        "partners": [threepl, {"edi": "partners/acme-retail.yaml", "outbound_folder": "out/acme-retail",
                               "erp_customer_no": "C30000"}],
    }  # fmt: skip
    if market is not None:
        flows["marketplaces"] = {
            "shopify": {"base_url": market, "token_env": "CHECK_SHOPIFY_TOKEN"},
            "amazon": {"base_url": market, "token_env": "CHECK_AMAZON_TOKEN", "marketplace_id": "ATVPDKIKX0DER"},
        }
    (site / "flows.yaml").write_text(yaml.safe_dump(flows, sort_keys=False))
    return site


@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_every_endpoint_is_reached_once_and_reported(
    tmp_path: Path,
    rabbitmq_vhost: Vhost,
    migrated_db_url: str,
    erp_sim: ErpSimServer,
    sshd: SshServer,
    marketplace_sim: RunningSim,
) -> None:
    write_site(tmp_path, erp=erp_sim.endpoint, sshd=sshd, market=marketplace_sim.url)
    env = {"CROSSDOCK_BROKER_URL": rabbitmq_vhost.amqp_url, "CROSSDOCK_DATABASE_URL": migrated_db_url, **TOKENS}
    # Offline: the files and secrets are right, nothing connects
    offline = run(tmp_path, **env)
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "configuration: ok" in offline.stdout
    assert erp_sim.calls() == {}
    # --connect: one read-only call to each
    result = run(tmp_path, "--connect", "--json", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["findings"] == []
    kinds = {(e["kind"], e["name"]): e for e in report["endpoints"]}
    assert set(kinds) == {("rabbitmq", "broker"), ("database", "store"), ("erp", "erp"), ("sftp", "northstar-3pl"),
                          ("marketplace", "shopify"), ("marketplace", "amazon")}  # fmt: skip
    assert all(e["ok"] for e in kinds.values()), kinds
    assert "schema at" in kinds[("database", "store")]["detail"]
    assert "entries in" in kinds[("sftp", "northstar-3pl")]["detail"]
    assert erp_sim.calls() == {"GetItem": 1}
    for token in TOKENS.values():
        assert token not in result.stdout


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_a_failed_endpoint_exits_1_with_the_reason(tmp_path: Path, erp_sim: ErpSimServer, db_url: str) -> None:
    write_site(tmp_path, erp=erp_sim.endpoint)
    missing_vhost = "amqp://guest:guest@127.0.0.1:5672/crossdock-check-no-vhost"
    result = run(tmp_path, "--connect", CROSSDOCK_BROKER_URL=missing_vhost, CROSSDOCK_DATABASE_URL=db_url)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = {line.split()[1]: line for line in result.stdout.splitlines() if line.startswith(("ok", "FAILED"))}
    assert lines["rabbitmq"].startswith("FAILED") and "virtual host" in lines["rabbitmq"]
    assert lines["database"].startswith("FAILED") and "crossdock db upgrade" in lines["database"]
    assert lines["erp"].startswith("ok")
    assert not Path(db_url.removeprefix("sqlite:///")).exists()  # the check created no database


def test_file_problems_are_file_line_field(tmp_path: Path) -> None:
    site = write_site(tmp_path, erp="http://127.0.0.1:9/erp", market="http://127.0.0.1:9")
    text = (site / "flows.yaml").read_text().replace("read_timeout_s: 5", "read_timeout_s: -1")
    (site / "flows.yaml").write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "read_timeout_s" in row)
    result = run(tmp_path)
    assert result.returncode == 1
    assert f"{site / 'flows.yaml'}:{line}: erp.read_timeout_s: " in result.stdout
    # Once the file is valid, a secret it names that is not set is the problem, where it is named
    (site / "flows.yaml").write_text(text.replace("read_timeout_s: -1", "read_timeout_s: 5"))
    result = run(tmp_path, "--json", CHECK_AMAZON_TOKEN="x")
    findings = json.loads(result.stdout)["findings"]
    token_line = next(n for n, row in enumerate(text.splitlines(), 1) if "CHECK_SHOPIFY_TOKEN" in row)
    assert [(f["line"], f["field"]) for f in findings] == [(token_line, "marketplaces.shopify.token_env")]
    assert "CHECK_SHOPIFY_TOKEN is not set" in findings[0]["problem"]
