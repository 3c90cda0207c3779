"""Shared building blocks of every canonical document: the base model, money, quantities, codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from crossdock.canonical.currencies import ISO_4217
from crossdock.canonical.redact import describe


class CanonicalModel(BaseModel):
    """Base of every canonical document and part: strict about unknown fields, immutable once built."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_default=True,
        ser_json_timedelta="iso8601",
        hide_input_in_errors=True,  # errors reach logs and dead letters: never echo names or addresses
    )


def _currency(value: str) -> str:
    code = value.upper()
    if code not in ISO_4217:
        raise ValueError(f"{describe(value)} is not an ISO-4217 currency code")
    return code


CurrencyCode = Annotated[str, AfterValidator(_currency)]
"""An active ISO-4217 alphabetic currency code (upper case)."""

Money = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]
"""An amount of money, in the currency of the document that holds it."""

Quantity = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=4, allow_inf_nan=False)]
"""A non-negative quantity, in the unit of measure of its line."""

UnitOfMeasure = Annotated[str, StringConstraints(min_length=1, max_length=4, to_upper=True)]
"""A unit-of-measure code, X12 element 355 style (EA, CA, PK, LB ...)."""

NonEmptyStr = Annotated[str, StringConstraints(min_length=1)]


def _digits(kind: str, lengths: tuple[int, ...]) -> AfterValidator:
    def check(value: str) -> str:
        if not value.isdigit() or len(value) not in lengths:
            allowed = " or ".join(str(n) for n in lengths)
            raise ValueError(f"{kind} must be {allowed} digits, got {describe(value)}")
        return value

    return AfterValidator(check)


Gtin = Annotated[str, _digits("GTIN/UPC", (8, 12, 13, 14))]
"""A GTIN-8/12/13/14 (a UPC is a GTIN-12). The check digit is reported, not enforced: see gs1_check_digit."""


def _sscc(value: str) -> str:
    digits = value.strip()
    # Labels and X12 MAN*GM often carry the GS1 application identifier "00" in front of the 18 digits.
    if len(digits) == 20 and digits.startswith("00"):
        digits = digits[2:]
    if not digits.isdigit() or len(digits) != 18:
        raise ValueError(f"SSCC-18 must be 18 digits (optionally after AI 00), got {describe(value)}")
    return digits


Sscc = Annotated[str, AfterValidator(_sscc)]
"""A Serial Shipping Container Code (SSCC-18), stored without its "00" application identifier."""


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for ``body`` (all digits but the last)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def has_valid_check_digit(code: str) -> bool:
    """True when the last digit of a GTIN or SSCC is its GS1 check digit."""
    return code.isdigit() and len(code) > 1 and gs1_check_digit(code[:-1]) == int(code[-1])
