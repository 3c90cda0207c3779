"""Amazon's seller-fulfilled returns report (Reports API ``GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE``:
tab-separated, a header row, one row per returned item) to ``return_event`` documents. Pure: a binary
stream in, documents out.

Rows are grouped by ``Amazon RMA ID`` (RMA ``AZ-<Amazon RMA ID>``): one ``authorized`` event per RMA
(``Order ID`` the order, ``Return request date`` its date, per row ``Merchant SKU``, ``Return
quantity``, ``Return Reason``; ``Tracking ID`` the return's tracking), a ``refunded`` event when the
rows' ``Refunded Amount`` adds up to more than zero (refund id ``amazon:<RMA id>``), and a
``rejected`` event instead when ``Return request status`` says the request was rejected. A row that
cannot be read is a :class:`~crossdock.errors.MappingError` naming the file, line and column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import BinaryIO

from crossdock.canonical.finance.return_events import ReturnEventDocument, rma_number
from crossdock.canonical.finance.rows import RowError, money
from crossdock.canonical.order import Channel
from crossdock.canonical.returns import ReturnAuthorization, ReturnLine
from crossdock.errors import MappingError

REQUIRED = ("Order ID", "Return request date", "Amazon RMA ID", "Merchant SKU", "Return quantity")
REJECTED = ("rejected", "denied", "declined")


def _moment(text: str) -> datetime:
    """ISO-8601 date-time (``Z`` or an offset; none: UTC) or a date (midnight UTC)."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _rows(stream: BinaryIO, source: str) -> Iterator[tuple[int, dict[str, str]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        reader = csv.DictReader(text, delimiter="\t")
        missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
        if missing:
            raise MappingError(f"{source} is no Amazon returns report",
                               [(f"{source}:1", f"missing columns: {', '.join(missing)}")])  # fmt: skip
        for number, row in enumerate(reader, start=2):
            yield number, {key: (value or "").strip() for key, value in row.items() if key is not None}
    finally:
        text.detach()  # the caller's stream stays the caller's to close


def report_to_events(stream: BinaryIO, source: str = "returns report") -> list[ReturnEventDocument]:
    """The events of one returns report, in the order their RMAs first appear."""
    rmas: dict[str, list[tuple[int, dict[str, str]]]] = {}
    errors: list[tuple[str, str]] = []
    try:
        for number, row in _rows(stream, source):
            if not row.get("Amazon RMA ID"):
                errors.append((f"{source}:{number}: Amazon RMA ID", "is required"))
                continue
            rmas.setdefault(row["Amazon RMA ID"], []).append((number, row))
    except UnicodeDecodeError as exc:
        raise MappingError(f"{source} is not UTF-8 text", [(source, str(exc))]) from exc
    events: list[ReturnEventDocument] = []
    for amazon_rma, rows in rmas.items():
        events += _events(amazon_rma, rows, source, errors)
    if errors:
        raise MappingError(f"cannot map Amazon returns report {source}", errors)
    return events


def _events(
    amazon_rma: str, rows: list[tuple[int, dict[str, str]]], source: str, errors: list[tuple[str, str]]
) -> list[ReturnEventDocument]:
    rma = rma_number(Channel.AMAZON, amazon_rma)
    first_line, first = rows[0]
    if any(word in first.get("Return request status", "").lower() for word in REJECTED):
        reason = f"Amazon return request {first['Return request status']}"
        return [ReturnEventDocument(channel=Channel.AMAZON, rma_number=rma, kind="rejected", reason=reason)]
    lines: list[ReturnLine] = []
    refunded = Decimal(0)
    created: datetime | None = None
    for number, row in rows:
        where = f"{source}:{number}"
        try:
            created = created or _moment(row["Return request date"])
        except ValueError:
            errors.append((f"{where}: Return request date", f"{row['Return request date']!r} is not a date"))
        try:  # the finance rows' parser: "NaN" and "Infinity" are no amounts either
            quantity = money(row["Return quantity"], "Return quantity")
            refunded += money(row.get("Refunded Amount") or "0", "Refunded Amount")
        except RowError as exc:
            errors.append((f"{where}: Return quantity / Refunded Amount", str(exc)))
            continue
        if not row["Merchant SKU"] or quantity <= 0:
            errors.append((f"{where}: Merchant SKU / Return quantity", "a SKU and a quantity above 0 are required"))
            continue
        lines.append(ReturnLine(line_number=str(len(lines) + 1), sku=row["Merchant SKU"], quantity=quantity,
                                reason_code=row.get("Return Reason") or None))  # fmt: skip
    if created is None or not lines or not first["Order ID"]:
        if not first["Order ID"]:
            errors.append((f"{source}:{first_line}: Order ID", "is required"))
        return []
    authorization = ReturnAuthorization(
        rma_number=rma, channel=Channel.AMAZON, order_external_id=first["Order ID"], created_at=created,
        lines=lines, return_tracking_number=first.get("Tracking ID") or None, notes=[f"Amazon RMA {amazon_rma}"],
    )  # fmt: skip
    events = [ReturnEventDocument(channel=Channel.AMAZON, rma_number=rma, kind="authorized",
                                  authorization=authorization)]  # fmt: skip
    if refunded > 0:
        events.append(ReturnEventDocument(channel=Channel.AMAZON, rma_number=rma, kind="refunded",
                                          refund_id=f"amazon:{amazon_rma}", amount=-refunded))  # fmt: skip
    return events
