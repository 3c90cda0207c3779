"""The business-flow configuration: trading partners, the 3PL, ERP master data and the ERP connection.

YAML, validated by pydantic, errors naming the field; by default ``<config_dir>/flows.yaml``::

    warehouse_partner: northstar-3pl          # who gets our 940s
    warehouse_code: COL1
    item_map: {CD-TEE-BLK-M: ITEM-1}          # our SKU -> ERP item number
    channel_customers: {shopify: C10000}      # marketplace orders -> ERP customer
    erp: {endpoint: "http://127.0.0.1:8081/erp", read_timeout_s: 30}
    partners:
      - edi: partners/northstar-3pl.yaml      # an X12 envelope profile (crossdock.edi.partners)
        sftp: sftp/northstar-3pl.yaml         # an SFTP profile (crossdock.bridges.sftp); or:
        # outbound_folder: out/northstar-3pl  # where files go when the partner has no SFTP profile
        erp_location_code: MAIN
      - edi: partners/acme-retail.yaml
        outbound_folder: out/acme-retail
        erp_customer_no: C30000
        asn: true                             # 856 ship notices for its POs (the default)
        invoice: true                         # 810 invoices for its POs (default false)
        ack_855: true                         # an 855 acknowledgment once its PO is booked (default false)
    marketplaces:                             # optional: confirm shipped Shopify orders, poll Amazon/Walmart
      shopify: {base_url: "https://my-shop.myshopify.com", token_env: CROSSDOCK_SHOPIFY_TOKEN,
                api_version: "2024-01"}
      amazon: {base_url: "https://sellingpartnerapi-na.amazon.com", token_env: CROSSDOCK_AMAZON_TOKEN,
               marketplace_id: ATVPDKIKX0DER}       # read by ``crossdock rest poll --channel amazon``
      walmart: {base_url: "https://marketplace.walmartapis.com", token_env: CROSSDOCK_WALMART_TOKEN}
    inventory: {location: COL1, channels: {shopify: {}}}   # optional: see crossdock.actors.inventory_config
    amendments: {shopify: {window_h: 24}}     # optional: see crossdock.actors.amendment_config
    schedule:                                 # optional: periodic jobs for `crossdock scheduler run`
      - {job: sftp-poll, partner: northstar-3pl, every: 1m}
      - {job: sla-overdue, cron: "*/15 * * * *"}
    sla: {deadlines: {940-945: 2d}}           # optional: see crossdock.actors.sla_config

Relative paths are relative to the YAML file. Loading reads local files only; nothing connects. A
marketplace's access token is never in this file: ``token_env`` names the environment variable holding
it, read when the worker builds its ports (:func:`crossdock.actors.wiring.build_marketplaces`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crossdock.actors.amendment_config import AMENDMENT_CHANNELS, AmendmentConfig
from crossdock.actors.inventory_config import InventoryConfig
from crossdock.actors.schedule_config import ScheduledJob, check_unique
from crossdock.actors.sla_config import SlaConfig
from crossdock.bridges.soap import ErpConnection
from crossdock.canonical.finance import FinanceConfig
from crossdock.config_yaml import load_yaml
from crossdock.errors import ConfigError

FLOWS_FILE = "flows.yaml"


class PartnerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    edi: Path = Field(description="The partner's X12 envelope profile (YAML).")
    sftp: Path | None = Field(default=None, description="The partner's SFTP profile (YAML), for outbound files.")
    outbound_folder: Path | None = Field(default=None, description="Local folder for outbound files, without SFTP.")
    erp_customer_no: str | None = None
    erp_location_code: str | None = None
    asn: bool = Field(default=True, description="Send the partner an 856 ship notice when its POs ship.")
    invoice: bool = Field(default=False, description="Send the partner an 810 invoice when its POs are invoiced.")
    inventory_advice: bool = Field(
        default=False,
        description="Send the partner an 846 of its available-to-sell quantities when they change "
        "(allocated by the inventory rule named after the partner: inventory.channels.<partner>).",
    )
    ack_855: bool = Field(default=False, description="Send the partner an 855 acknowledgment once its PO is booked.")

    @model_validator(mode="after")
    def _one_outbound(self) -> PartnerConfig:
        if (self.sftp is None) == (self.outbound_folder is None):
            raise ValueError("give exactly one of sftp (a profile) or outbound_folder")
        return self


CHANNELS = ("shopify", "amazon", "walmart")
POLLED_CHANNELS = ("amazon", "walmart")
"""The channels whose orders ``crossdock rest poll`` fetches (Shopify's come by webhook)."""


ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class LwaAuth(BaseModel):
    """Login with Amazon: SP-API access tokens fetched with a refresh token, renewed before they expire.
    Secrets are named by environment variable, never written here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token_url: str = Field(default="https://api.amazon.com/auth/o2/token", pattern=r"^https?://[^@\s]+$")
    client_id: str = Field(min_length=1, max_length=200, description="The LWA client identifier (not a secret).")
    client_secret_env: str = Field(pattern=ENV_NAME, description="The variable holding the LWA client secret.")
    refresh_token_env: str = Field(pattern=ENV_NAME, description="The variable holding the seller's refresh token.")


class ClientCredentialsAuth(BaseModel):
    """Walmart Marketplace: access tokens from client credentials, renewed before they expire."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token_url: str = Field(default="https://marketplace.walmartapis.com/v3/token", pattern=r"^https?://[^@\s]+$")
    client_id_env: str = Field(pattern=ENV_NAME, description="The variable holding the client id.")
    client_secret_env: str = Field(pattern=ENV_NAME, description="The variable holding the client secret.")


class MarketplaceAuth(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lwa: LwaAuth | None = None
    client_credentials: ClientCredentialsAuth | None = None

    @model_validator(mode="after")
    def _one(self) -> MarketplaceAuth:
        if (self.lwa is None) == (self.client_credentials is None):
            raise ValueError("give exactly one of lwa (Amazon) or client_credentials (Walmart)")
        return self


class MarketplaceConfig(BaseModel):
    """How to reach one marketplace channel: where shipments are confirmed, where Amazon and Walmart
    orders are polled from. A static token is read from the environment variable ``token_env``; Amazon
    and Walmart may instead fetch expiring tokens (``auth: {lwa: ...}`` / ``auth: {client_credentials:
    ...}``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(pattern=r"^https?://[^/@\s]+/?$", description="The API's base URL (scheme and host).")
    token_env: str | None = Field(
        default=None, pattern=ENV_NAME, description="The environment variable holding a static access token."
    )
    auth: MarketplaceAuth | None = Field(default=None, description="Expiring access tokens (instead of token_env).")
    api_version: str = Field(default="2024-01", pattern=r"^(\d{4}-\d{2}|unstable)$")
    timeout_s: float = Field(default=30.0, gt=0, le=300, description="Read timeout (connect: at most 10 s).")
    marketplace_id: str | None = Field(
        default=None, pattern=r"^[A-Z0-9]{1,20}$", description="Amazon only: the SP-API marketplace id polled."
    )
    page_size: int = Field(default=100, ge=1, le=100, description="Amazon, Walmart: orders per page when polling.")
    lookback_h: float = Field(
        default=24.0, gt=0, le=24 * 180, description="Amazon, Walmart: a first poll with no state starts this long ago."
    )


def _check_channel(channel: str, config: MarketplaceConfig) -> None:
    if (config.token_env is None) == (config.auth is None):
        raise ValueError(f"marketplaces.{channel}: give exactly one of token_env or auth")
    if config.auth is not None and config.auth.lwa is not None and channel != "amazon":
        raise ValueError(f"marketplaces.{channel}: auth.lwa (Login with Amazon) is for amazon only")
    if config.auth is not None and config.auth.client_credentials is not None and channel != "walmart":
        raise ValueError(f"marketplaces.{channel}: auth.client_credentials is for walmart only")
    if channel == "amazon" and config.marketplace_id is None:
        raise ValueError("marketplaces.amazon: marketplace_id is required (e.g. ATVPDKIKX0DER)")
    if channel != "amazon" and config.marketplace_id is not None:
        raise ValueError(f"marketplaces.{channel}: marketplace_id is for amazon only")


class FlowConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    partners: list[PartnerConfig] = Field(min_length=1)
    warehouse_partner: str = Field(min_length=1)
    warehouse_code: str | None = None
    item_map: dict[str, str] = Field(default_factory=dict)
    channel_customers: dict[str, str] = Field(default_factory=dict)
    erp: ErpConnection
    marketplaces: dict[str, MarketplaceConfig] = Field(default_factory=dict)
    schedule: list[ScheduledJob] = Field(default_factory=list, description="Periodic jobs (crossdock scheduler).")
    finance: FinanceConfig = Field(default_factory=FinanceConfig, description="Settlements: fees, tolerance, accounts.")
    inventory: InventoryConfig | None = Field(default=None, description="The inventory flow (docs/inventory.md).")
    amendments: dict[str, AmendmentConfig] = Field(
        default_factory=dict, description="Per channel: cancellation window, after release (docs/lifecycle.md)."
    )
    sla: SlaConfig = Field(default_factory=SlaConfig, description="Deadlines for the next expected document.")

    @model_validator(mode="after")
    def _channel_fields(self) -> FlowConfig:
        for channel, config in self.marketplaces.items():
            _check_channel(channel, config)
        check_unique(self.schedule)
        for job in self.schedule:
            if job.channel is not None and job.channel not in self.marketplaces:
                raise ValueError(f"schedule: {job.name}: marketplaces.{job.channel} is not configured")
        for channel in self.amendments:
            if channel not in AMENDMENT_CHANNELS:
                raise ValueError(f"amendments.{channel}: not a channel ({', '.join(AMENDMENT_CHANNELS)})")
        for channel in self.inventory.push if self.inventory is not None else ():
            if channel not in self.marketplaces:
                raise ValueError(f"inventory.push.{channel}: marketplaces.{channel} is not configured")
        return self


def _resolve(base: Path, path: Path | None) -> Path | None:
    return None if path is None or path.is_absolute() else base / path


def flow_config_from_dict(data: dict[str, Any], *, base: Path, source: str = "flow configuration") -> FlowConfig:
    try:
        config = FlowConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid {source}: {problems}") from exc
    partners = [
        p.model_copy(
            update={
                "edi": _resolve(base, p.edi) or p.edi,
                "sftp": _resolve(base, p.sftp) or p.sftp,
                "outbound_folder": _resolve(base, p.outbound_folder) or p.outbound_folder,
            }
        )
        for p in config.partners
    ]
    return config.model_copy(update={"partners": partners})


def load_flow_config(path: Path) -> FlowConfig:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read flow configuration {path}: {exc.strerror}") from exc
    data = load_yaml(raw, f"flow configuration {path}")
    if not isinstance(data, dict):
        raise ConfigError(f"flow configuration {path} must be a mapping")
    return flow_config_from_dict(data, base=path.parent, source=f"flow configuration {path}")
