"""What a settlement parser yields: the summary, each line with where it came from, and the rows it
could not read. A bad row is data (:class:`RowProblem`), not an exception: the importer keeps it as a
finance exception item and reads on. Only a file that cannot be read at all raises
:class:`SettlementFileError`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from crossdock.canonical.settlement import SettlementLine, SettlementSummary
from crossdock.errors import BusinessError, Owner

MAX_ROW_TEXT = 300
"""How much of a bad row is kept in its problem (enough to find it; the file is the record)."""


class SettlementFileError(BusinessError):
    """The file cannot be read as a settlement report at all (wrong format, no header, not JSON)."""

    def __init__(self, message: str, *, source: str, line: int | None = None) -> None:
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {message}", owner=Owner.FINANCE, key=source)
        self.source = source
        self.line = line


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """One settlement line and the file line it came from (its lineage)."""

    line: SettlementLine
    source: str
    line_no: int


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that could not be read: where, why, and the row's text (cut to :data:`MAX_ROW_TEXT`)."""

    source: str
    line_no: int
    message: str
    text: str

    def __str__(self) -> str:
        return f"{self.source}, line {self.line_no}: {self.message}"


SettlementEvent = SettlementSummary | ParsedLine | RowProblem


class RowError(ValueError):
    """Raised inside a parser for one row; the parser turns it into a :class:`RowProblem`."""


def money(text: str, field: str) -> Decimal:
    """``"1,234.50"`` or ``"-3.1"`` as a Decimal; a clear :class:`RowError` naming ``field`` otherwise."""
    cleaned = text.strip().replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(f"{field} {text.strip()[:40]!r} is not an amount") from None
    if not value.is_finite():
        raise RowError(f"{field} {text.strip()[:40]!r} is not an amount")
    return value


def timestamp(text: str, field: str, formats: tuple[str, ...]) -> datetime:
    """A timestamp in one of ``formats`` (ISO 8601 first); naive ones are taken as UTC."""
    value = text.strip()
    if not value:
        raise RowError(f"{field} is empty")
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace(" UTC", "+00:00"))
    except ValueError:
        for fmt in formats:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise RowError(f"{field} {value[:40]!r} is not a date")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def day(text: str, field: str, formats: tuple[str, ...]) -> date | None:
    """A date (or ``None`` when the cell is empty)."""
    return timestamp(text, field, formats).date() if text.strip() else None


def reason(exc: Exception) -> str:
    """A row's error as a reader needs it: for a pydantic error, field and problem, never the input."""
    errors = getattr(exc, "errors", None)
    if not isinstance(exc, RowError) and callable(errors):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors(include_input=False))
    return str(exc)
