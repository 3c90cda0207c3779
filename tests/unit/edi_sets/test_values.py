from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from crossdock.edi.sets import values


def test_dates_in_both_widths_and_the_two_digit_year_window() -> None:
    assert values.parse_date("20261120") == date(2026, 11, 20)
    assert values.parse_date("261120") == date(2026, 11, 20)
    assert values.parse_date("991231") == date(1999, 12, 31)


@pytest.mark.parametrize("text", ["CCYYMMDD", "20261332", "2026112", "", "20260230"])
def test_bad_dates_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        values.parse_date(text)


def test_times_with_seconds_and_fractions() -> None:
    assert values.parse_time("1615") == time(16, 15)
    assert values.parse_time("161530") == time(16, 15, 30)
    assert values.parse_time("16153025") == time(16, 15, 30, 250000)
    with pytest.raises(ValueError):
        values.parse_time("16:15")


def test_time_codes_default_to_utc_and_follow_the_code() -> None:
    assert values.time_zone(None) is UTC
    eastern = values.time_zone("ES")
    assert eastern is not None and eastern.utcoffset(None) == timedelta(hours=-5)
    assert values.time_zone("XX") is None
    moment = values.combine(date(2026, 7, 1), time(12, 0), values.time_zone("ET") or UTC)
    assert moment.astimezone(UTC) == datetime(2026, 7, 1, 16, 0, tzinfo=UTC)  # daylight saving time in July


def test_decimals_never_float_and_never_exponent() -> None:
    assert values.parse_decimal("9.25") == Decimal("9.25")
    assert values.parse_decimal("-.5") == Decimal("-0.5")
    for bad in ("1e3", "12,5", "", "NaN"):
        with pytest.raises(ValueError):
            values.parse_decimal(bad)
    assert values.format_decimal(Decimal("1E+3")) == "1000"
    assert values.format_decimal(Decimal("12.500")) == "12.5"
    assert values.format_decimal(Decimal("-0.000")) == "0"


def test_implied_decimals() -> None:
    assert values.parse_implied("4512") == Decimal("45.12")
    assert values.format_implied(Decimal("45.1")) == "4510"
    with pytest.raises(ValueError):
        values.format_implied(Decimal("0.001"))
    with pytest.raises(ValueError):
        values.parse_implied("45.12")


def test_formatting_writes_utc() -> None:
    moment = datetime(2026, 11, 24, 16, 15, tzinfo=values.time_zone("ES") or UTC)
    assert values.format_date(moment) == "20261124"
    assert values.format_time(moment) == "2115"
    assert values.is_midnight_utc(datetime(2026, 1, 1, tzinfo=UTC))
