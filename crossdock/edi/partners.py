"""Per-trading-partner envelope settings (who we are to them, who they are, how they like their X12)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from crossdock.config_yaml import load_yaml
from crossdock.errors import ConfigError

__all__ = [
    "PartnerProfile",
    "load_partner_profile",
]

IdQualifier = Annotated[str, StringConstraints(min_length=2, max_length=2)]
InterchangeId = Annotated[str, StringConstraints(min_length=1, max_length=15)]


class PartnerProfile(BaseModel):
    """How to envelope X12 for one partner. Loaded from YAML by :func:`load_partner_profile`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="Our name for the partner; keys control numbers.")
    sender_qualifier: IdQualifier = "ZZ"
    sender_id: InterchangeId
    receiver_qualifier: IdQualifier = "ZZ"
    receiver_id: InterchangeId
    gs_sender_id: str | None = Field(default=None, description="GS02 when it differs from ISA06.")
    gs_receiver_id: str | None = Field(default=None, description="GS03 when it differs from ISA08.")
    version: Literal["004010", "005010"] = "004010"
    gs_version: str | None = Field(default=None, pattern=r"^\d{6}[A-Z0-9]{0,6}$",
                                   description="GS08 when the partner wants more than the version, e.g. 004010VICS.")
    authorization_qualifier: IdQualifier = "00"
    authorization_info: str = Field(default="", max_length=10, description="ISA02, padded to 10.")
    security_qualifier: IdQualifier = "00"
    security_info: str = Field(default="", max_length=10, description="ISA04, padded to 10.")
    usage: Literal["P", "T"] = Field(default="P", description="ISA15: P production, T test.")
    element_separator: str = Field(default="*", min_length=1, max_length=1)
    component_separator: str = Field(default=">", min_length=1, max_length=1)
    repetition_separator: str = Field(default="^", min_length=1, max_length=1)
    segment_terminator: str = Field(default="~", min_length=1, max_length=1)
    segment_suffix: str = Field(default="\n", description="Written after each terminator: '' or a newline.")
    ack_requested: bool = Field(default=True, description="ISA14: ask for a TA1.")

    @model_validator(mode="after")
    def _distinct_delimiters(self) -> PartnerProfile:
        seps = [self.element_separator, self.component_separator, self.repetition_separator, self.segment_terminator]
        if len(set(seps)) != len(seps):
            raise ValueError("element, component, repetition separators and segment terminator must all differ")
        for sep in seps:
            if sep.isalnum() or sep == " ":
                raise ValueError(f"delimiter {sep!r} must not be a letter, digit or space")
        return self


def load_partner_profile(data: bytes, *, name_hint: str = "profile") -> PartnerProfile:
    """Parse a partner profile from YAML bytes; the error names the file and field on failure."""
    raw = load_yaml(data, name_hint)
    if not isinstance(raw, dict):
        raise ConfigError(f"{name_hint}: a partner profile must be a mapping")
    try:
        return PartnerProfile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"{name_hint}: invalid partner profile: {problems}") from exc
