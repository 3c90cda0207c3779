"""Is this site's configuration complete and right? What ``crossdock config check`` reports.

Offline (:func:`check_files`): the settings, ``<config_dir>/flows.yaml``, each partner's X12 envelope
and SFTP profile, the ERP connection and mapping, and every secret a file names (``token_env``,
``password_env``, ``password_file``, ``key_passphrase_env``) is set, each problem as
``file:line: field: problem``. Nothing connects.

With ``connect`` (:func:`check_endpoints`), one cheap read-only call to each configured endpoint, with
the same clients and limits the worker uses: RabbitMQ (log in to the virtual host), the database
(schema at the newest revision; a missing SQLite file is not created), the ERP (one read-only SOAP
operation, ``get_item``, through the hardened client: a business fault is an answer, so it counts as
reachable), each SFTP partner (list its inbound folder, host key pinned), each marketplace (one
authenticated GET of one order). Never a secret in a finding: only the variable or file that holds it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crossdock.actors.flow_config import FLOWS_FILE, FlowConfig, MarketplaceConfig, flow_config_from_dict
from crossdock.config_yaml import load_yaml
from crossdock.errors import ConfigError, CrossdockError
from crossdock.settings import Settings, environment_warnings, load_settings, mask_url_password


@dataclass(frozen=True, slots=True)
class Finding:
    """One configuration problem: where (file and line when known), which field, what is wrong."""

    file: str
    line: int | None
    field: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.field}: {self.problem}" if self.field else f"{where}: {self.problem}"


@dataclass(frozen=True, slots=True)
class EndpointResult:
    """One endpoint contacted: ``ok``, or why not."""

    kind: str
    name: str
    target: str
    ok: bool
    detail: str


@dataclass
class SiteReport:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    endpoints: list[EndpointResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings and all(e.ok for e in self.endpoints)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "findings": [{**asdict(f), "text": str(f)} for f in self.findings],
            "warnings": self.warnings,
            "endpoints": [asdict(e) for e in self.endpoints],
        }


@dataclass
class Site:
    """What the offline check could build, for the endpoint check."""

    settings: Settings | None = None
    config: FlowConfig | None = None
    flows_path: Path | None = None
    sftp_profiles: list[tuple[str, Any]] = field(default_factory=list)
    """(partner, bridges.sftp PartnerProfile) of each partner with an SFTP profile that loaded."""


def line_of(data: bytes, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the node at ``path`` (mapping keys and list indexes) in the YAML ``data``,
    or of the deepest node of it that exists. Only called on a document ``load_yaml`` has accepted."""
    try:
        node: Any = yaml.compose(data, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None if node is None else node.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            pairs = node.value
            match = next(((k, v) for k, v in pairs if isinstance(k, yaml.ScalarNode) and k.value == str(step)), None)
            if match is None:
                return line
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _one_line(text: str) -> str:
    return " ".join(text.split())


def check_files(config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> tuple[SiteReport, Site]:
    """Every offline problem of the site's configuration; nothing connects."""
    env = os.environ if environ is None else environ
    report = SiteReport(warnings=environment_warnings(env))
    site = Site()
    try:
        site.settings = load_settings(config_file, environ=env)
    except ConfigError as exc:
        origin = str(config_file or env.get("CROSSDOCK_CONFIG") or "environment (CROSSDOCK_*)")
        report.findings.append(Finding(origin, None, "", _one_line(str(exc))))
        return report, site
    if site.settings.config_dir is None:
        report.findings.append(
            Finding("CROSSDOCK_CONFIG_DIR", None, "", "not set: the business flows read <config_dir>/flows.yaml")
        )
        return report, site
    path = site.settings.config_dir / FLOWS_FILE
    site.flows_path = path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.findings.append(Finding(str(path), None, "", f"cannot read: {exc.strerror}"))
        return report, site
    try:
        data = load_yaml(raw, f"flow configuration {path}")
    except ConfigError as exc:
        report.findings.append(Finding(str(path), None, "", _one_line(str(exc))))
        return report, site
    if not isinstance(data, dict):
        report.findings.append(Finding(str(path), 1, "", "must be a mapping (warehouse_partner, partners, erp ...)"))
        return report, site
    try:
        FlowConfig.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_input=False, include_url=False):
            loc = [p for p in err["loc"] if isinstance(p, str | int)]
            where = ".".join(str(p) for p in loc) or "(root)"
            report.findings.append(Finding(str(path), line_of(raw, loc), where, err["msg"]))
        return report, site
    site.config = flow_config_from_dict(data, base=path.parent, source=f"flow configuration {path}")
    _check_partners(report, site, raw, env)
    _check_erp(report, site.config, str(path), raw)
    _check_marketplaces(report, site.config, str(path), raw, env)
    return report, site


def _check_partners(report: SiteReport, site: Site, raw: bytes, env: Mapping[str, str]) -> None:
    from crossdock.bridges.sftp import load_profile
    from crossdock.edi.partners import load_partner_profile

    assert site.config is not None and site.flows_path is not None
    flows = str(site.flows_path)
    names = []
    for index, partner in enumerate(site.config.partners):
        try:
            names.append(load_partner_profile(partner.edi.read_bytes(), name_hint=str(partner.edi)).name)
        except OSError as exc:
            line = line_of(raw, ["partners", index, "edi"])
            report.findings.append(Finding(flows, line, f"partners.{index}.edi", f"cannot read {partner.edi}: "
                                           f"{exc.strerror}"))  # fmt: skip
        except ConfigError as exc:
            report.findings.append(Finding(str(partner.edi), None, "", _one_line(str(exc))))
        if partner.sftp is None:
            continue
        try:
            profile = load_profile(partner.sftp)
        except ConfigError as exc:
            report.findings.append(Finding(str(partner.sftp), None, "", _one_line(str(exc))))
            continue
        try:
            profile.credentials(env)
        except ConfigError as exc:
            report.findings.append(Finding(str(partner.sftp), None, "auth", _one_line(str(exc))))
            continue
        site.sftp_profiles.append((profile.partner, profile))
    if names and site.config.warehouse_partner not in names:
        report.findings.append(
            Finding(flows, line_of(raw, ["warehouse_partner"]), "warehouse_partner",
                    f"{site.config.warehouse_partner!r} is none of the partners ({', '.join(names)})")
        )  # fmt: skip


def _check_erp(report: SiteReport, config: FlowConfig, flows: str, raw: bytes) -> None:
    from crossdock.actors.wiring import build_erp

    try:
        build_erp(config)  # the packaged (or configured) WSDL and the mapping; opens nothing
    except CrossdockError as exc:
        report.findings.append(Finding(flows, line_of(raw, ["erp"]), "erp", _one_line(str(exc))))


def _check_marketplaces(report: SiteReport, config: FlowConfig, flows: str, raw: bytes, env: Mapping[str, str]) -> None:
    for channel, market in config.marketplaces.items():
        if not env.get(market.token_env, "").strip():
            line = line_of(raw, ["marketplaces", channel, "token_env"])
            report.findings.append(
                Finding(flows, line, f"marketplaces.{channel}.token_env", f"the environment variable "
                        f"{market.token_env} is not set")
            )  # fmt: skip


def _probe(kind: str, name: str, target: str, call: Callable[[], str]) -> EndpointResult:
    try:
        return EndpointResult(kind, name, target, True, call())
    except CrossdockError as exc:
        return EndpointResult(kind, name, target, False, _one_line(str(exc)))
    except OSError as exc:  # a library's socket error that escaped its bridge's mapping
        return EndpointResult(kind, name, target, False, f"{type(exc).__name__}: {exc.strerror or exc}")


def check_endpoints(site: Site, environ: Mapping[str, str] | None = None) -> list[EndpointResult]:
    """One read-only call to each endpoint the configuration names (see the module docstring)."""
    env = os.environ if environ is None else environ
    results: list[EndpointResult] = []
    settings = site.settings
    if settings is None:
        return results
    if settings.broker_url is not None:
        url = settings.broker_url
        results.append(_probe("rabbitmq", "broker", mask_url_password(url), lambda: _rabbitmq(url, settings)))
    results.append(
        _probe("database", "store", mask_url_password(settings.effective_database_url), lambda: _database(settings))
    )
    config = site.config
    if config is not None:
        results.append(_probe("erp", "erp", config.erp.endpoint, lambda: _erp(config)))
    for partner, profile in site.sftp_profiles:
        target = f"sftp://{profile.host}:{profile.port}{profile.folders.inbound}"
        results.append(_probe("sftp", partner, target, lambda p=profile: _sftp(p)))  # type: ignore[misc]
    if config is not None:
        for channel, market in config.marketplaces.items():
            results.append(
                _probe("marketplace", channel, market.base_url, lambda c=channel, m=market: _market(c, m, env))  # type: ignore[misc]
            )
    return results


def _rabbitmq(url: str, settings: Settings) -> str:
    from crossdock.broker.probe import check_broker

    return f"virtual host reachable ({check_broker(url, timeout_s=min(settings.network_timeout_s, 10.0))})"


def _database(settings: Settings) -> str:
    from crossdock.store import Database
    from crossdock.store.readiness import require_schema

    db = Database.from_settings(settings)
    try:
        return f"schema at {require_schema(db)} (the newest)"
    finally:
        db.dispose()


def _erp(config: FlowConfig) -> str:
    from crossdock.actors.wiring import build_erp
    from crossdock.soap.faults import ErpRefusedError

    item = next(iter(config.item_map.values()), "CROSSDOCK-CONFIG-CHECK")
    try:
        build_erp(config).get_item(item)
    except ErpRefusedError as exc:  # a business answer: the ERP is there and understood the call
        return f"get_item answered with fault {exc.fault.error_code}"
    return f"get_item {item} answered"


def _sftp(profile: Any) -> str:
    from crossdock.bridges.sftp import SftpSession

    inbound = profile.folders.inbound
    with SftpSession(profile) as session:
        count = session.call("list", lambda sftp: len(sftp.listdir(inbound)), path=inbound)
    return f"host key pinned, {count} entries in {inbound}"


def _market(channel: str, market: MarketplaceConfig, env: Mapping[str, str]) -> str:
    from crossdock.bridges.rest import amazon, walmart
    from crossdock.bridges.rest.backoff import Backoff
    from crossdock.bridges.rest.client import MarketplaceClient
    from crossdock.bridges.rest.shopify import AUTH_HEADER as SHOPIFY_HEADER

    token = env.get(market.token_env, "").strip()
    if not token:
        raise ConfigError(f"the environment variable {market.token_env} (token_env) is not set")
    headers = {"shopify": SHOPIFY_HEADER, "amazon": amazon.AUTH_HEADER, "walmart": walmart.AUTH_HEADER}
    since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path, params = {
        "shopify": (f"/admin/api/{market.api_version}/orders.json", {"limit": 1}),
        "amazon": ("/orders/v0/orders", {"MarketplaceIds": market.marketplace_id or "", "CreatedAfter": since,
                                         "MaxResultsPerPage": 1}),
        "walmart": ("/v3/orders", {"limit": 1, "createdStartDate": since}),
    }[channel]  # fmt: skip
    with MarketplaceClient(channel, market.base_url, auth_headers={headers[channel]: token},
                           timeout=min(market.timeout_s, 10.0), backoff=Backoff(max_attempts=1)) as client:  # fmt: skip
        client.request("GET", path, params=params)
    return f"GET {path} authenticated"
