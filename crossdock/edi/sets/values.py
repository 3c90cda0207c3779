"""X12 simple data element values ⇄ Python values: dates (DT), times (TM), decimals (R, N2).

Dates are CCYYMMDD or YYMMDD (a two-digit year below 50 is 20YY, else 19YY). Times are HHMM, HHMMSS or
HHMMSSd..; a time code (DTM04, G6205) picks the UTC offset, and a time without a code is taken as UTC.
Amounts and quantities are :class:`~decimal.Decimal`, never ``float``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crossdock.canonical.order import Tax
from crossdock.canonical.redact import describe
from crossdock.edi.segment import Segment

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")

# X12 element 623 (Time Code) → offset from UTC. The *T codes follow daylight saving time.
_FIXED_HOURS = {
    "UT": 0, "GM": 0, "Z": 0,
    "AS": -4, "AD": -3, "ES": -5, "ED": -4, "CS": -6, "CD": -5,
    "MS": -7, "MD": -6, "PS": -8, "PD": -7, "HS": -10, "HD": -9,
}  # fmt: skip
_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
          "AT": "America/Halifax", "HT": "Pacific/Honolulu"}  # fmt: skip


def parse_date(text: str) -> date:
    """A DT element (CCYYMMDD or YYMMDD); ``ValueError`` when it is not a real date."""
    if not text.isdigit() or len(text) not in (6, 8):
        raise ValueError(f"{describe(text)} is not a date (CCYYMMDD or YYMMDD)")
    if len(text) == 6:
        year = int(text[:2])
        text = f"{2000 + year if year < 50 else 1900 + year}{text[2:]}"
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def parse_time(text: str) -> time:
    """A TM element: HHMM, HHMMSS, HHMMSSD or HHMMSSDD."""
    if not text.isdigit() or len(text) not in (4, 6, 7, 8):
        raise ValueError(f"{describe(text)} is not a time (HHMM[SS[d..]])")
    fraction = text[6:]
    micro = int(fraction.ljust(6, "0")) if fraction else 0
    return time(int(text[:2]), int(text[2:4]), int(text[4:6] or 0), micro)


def time_zone(code: str | None) -> tzinfo | None:
    """The zone of X12 time code ``code``; UTC when absent; ``None`` when the code is unknown."""
    if not code:
        return UTC
    code = code.upper()
    if code in _FIXED_HOURS:
        return timezone(timedelta(hours=_FIXED_HOURS[code]))
    if code in _ZONES:
        try:
            return ZoneInfo(_ZONES[code])
        except ZoneInfoNotFoundError:
            return None
    return None


def combine(day: date, clock: time | None, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock or time(0), tzinfo=zone)


def format_date(day: date | datetime) -> str:
    if isinstance(day, datetime):
        day = day.astimezone(UTC).date()
    return day.strftime("%Y%m%d")


def format_time(moment: datetime) -> str:
    """HHMM, or HHMMSS when there are seconds, in UTC (written with time code ``UT``)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%H%M%S" if moment.second else "%H%M")


def is_midnight_utc(moment: datetime) -> bool:
    return moment.astimezone(UTC).time() == time(0)


def parse_decimal(text: str) -> Decimal:
    """An R or N element as a Decimal; ``ValueError`` for anything else (exponents included)."""
    if text.replace(".", "", 1).isdecimal():  # the common case, checked without the pattern
        return Decimal(text)
    if not _NUMBER.match(text):
        raise ValueError(f"{describe(text)} is not a number")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules these out
        raise ValueError(f"{describe(text)} is not a number") from exc


def parse_implied(text: str, places: int = 2) -> Decimal:
    """An Nn element (implied decimal places): ``"4512"`` with N2 is 45.12."""
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"{describe(text)} is not an N{places} number")
    return Decimal(text).scaleb(-places)


def format_decimal(value: Decimal) -> str:
    """An R element: no exponent, no trailing zeros after the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_implied(value: Decimal, places: int = 2) -> str:
    """An Nn element; ``ValueError`` when ``value`` has more than ``places`` decimals."""
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {places} decimal places")
    return str(int(scaled))


def tax_segment(tax: Tax, code: str) -> Segment:
    """A TXI for ``tax`` under the tax type ``code``: TXI03 is a percent (a canonical rate of 0.0625 is
    written 6.25), TXI04/05 the jurisdiction when known. One writer for every set that carries taxes."""
    rate = format_decimal(tax.rate * 100) if tax.rate is not None else None
    return Segment.of("TXI", code, format_decimal(tax.amount), rate, "CD" if tax.jurisdiction else None,
                      tax.jurisdiction)  # fmt: skip
