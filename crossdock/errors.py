"""crossdock's error classes, organised by what the caller must do.

::

    CrossdockError
    ├── TransientError          retry with backoff (network drop, 5xx, timeout, lock contention)
    │   └── UnavailableError    a dependency is down for now (open circuit): wait, spend no retry
    ├── BusinessError(owner=)   no retry: goes to the exception work queue for a person to act on
    │   └── MappingError        a document could not be mapped to or from a canonical one
    ├── ConfigError             fix the configuration; retrying will not help
    ├── EdiError                bad X12, with where it went wrong (offset, segment, element)
    │   ├── EdiSyntaxError      the bytes are not X12 (no ISA, broken delimiters, truncated)
    │   ├── EdiEnvelopeError    ISA/GS/ST envelope mismatch (counts, control numbers)
    │   └── EdiLimitError       a set too large or an HL hierarchy too deep to read safely
    └── PermanentError          neither retry nor a person will help (a message that cannot be decoded)

The error policy (``crossdock.broker.middleware.error_policy``) dispatches on these classes only.
Library errors (paramiko, zeep, httpx, SQLAlchemy, pika) are translated once, at the bridge that
owns the library, always ``raise ... from exc``.
"""

from __future__ import annotations

from enum import StrEnum


class Owner(StrEnum):
    """The role that must act on a business error."""

    INTEGRATION = "integration"
    WAREHOUSE = "warehouse"
    FINANCE = "finance"
    CUSTOMER_SERVICE = "customer_service"


class CrossdockError(Exception):
    """Root of every error crossdock raises on purpose."""


class TransientError(CrossdockError):
    """Something outside us failed in a way that may succeed later: retry with backoff."""


class UnavailableError(TransientError):
    """A dependency is known to be down (its circuit breaker is open): try again after ``retry_after``
    seconds without spending a retry, for at most ``wait_limit_s`` seconds in all (its maintenance
    window); after that it is an ordinary transient failure."""

    def __init__(self, message: str, *, retry_after: float, wait_limit_s: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.wait_limit_s = wait_limit_s


class BusinessError(CrossdockError):
    """The input is wrong for business reasons (unknown SKU, cancelled order): a person must act.

    ``owner`` says who; ``key`` names the business document (PO number, order id) when known.
    """

    def __init__(self, message: str, *, owner: Owner = Owner.INTEGRATION, key: str | None = None) -> None:
        super().__init__(message)
        self.owner = owner
        self.key = key


class MappingError(BusinessError):
    """A payload could not be mapped to or from a canonical document.

    ``errors`` lists each problem as ``(location, message)``; location is a field path such as
    ``lines[2].quantity`` or an X12 position such as ``PO1[3]/PO102``.
    """

    def __init__(
        self,
        message: str,
        errors: list[tuple[str, str]] | None = None,
        *,
        owner: Owner = Owner.INTEGRATION,
        key: str | None = None,
    ) -> None:
        super().__init__(message, owner=owner, key=key)
        self.errors = list(errors or [])

    def __str__(self) -> str:
        base = super().__str__()
        if not self.errors:
            return base
        return base + "; " + "; ".join(f"{where}: {what}" for where, what in self.errors)


class ConfigError(CrossdockError):
    """The configuration is missing or wrong (a partner profile, a setting, a pinned key)."""


class PermanentError(CrossdockError):
    """Retrying cannot help and there is nothing for a person to fix in the data: dead-letter it."""


class EdiError(CrossdockError):
    """Bad X12, with where: byte offset in the input, segment index (0-based, counted from the
    start of the input), segment id, and element position (1-based, as in ``PO102``)."""

    def __init__(
        self,
        message: str,
        *,
        offset: int | None = None,
        segment_index: int | None = None,
        segment_id: str | None = None,
        element: int | None = None,
        component: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.segment_index = segment_index
        self.segment_id = segment_id
        self.element = element
        self.component = component

    @property
    def where(self) -> str:
        parts = []
        if self.segment_id is not None:
            ref = self.segment_id
            if self.element is not None:
                ref += f"{self.element:02d}"
                if self.component is not None:
                    ref += f"-{self.component}"
            parts.append(ref)
        if self.segment_index is not None:
            parts.append(f"segment {self.segment_index + 1}")
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where
        return f"{self.message} ({where})" if where else self.message

    def to_dict(self) -> dict[str, object]:
        return {
            "message": self.message,
            "offset": self.offset,
            "segment_index": self.segment_index,
            "segment_id": self.segment_id,
            "element": self.element,
            "component": self.component,
        }


class EdiSyntaxError(EdiError):
    """The bytes are not readable X12."""


class EdiEnvelopeError(EdiError):
    """The ISA/GS/ST envelope is inconsistent (trailer counts, control numbers, missing trailer)."""


class EdiLimitError(EdiError):
    """The input exceeds a limit that bounds memory or depth (a set's segments or bytes, HL nesting):
    refused before it is held, naming the set and where."""
