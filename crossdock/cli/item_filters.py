"""The filters and confirmation the bulk exception commands share (``exceptions list|replay|resolve|ignore``
and ``reprocess``): ``--owner --status --code --step --channel --since``, then ``--yes`` or ``--dry-run``.

A command given item ids acts on those; given filters it prints how many items match and acts only
with ``--yes`` (``--dry-run`` prints them and stops). Nothing is ever acted on by a filter alone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from crossdock.errors import Owner

if TYPE_CHECKING:
    from crossdock.store import ItemFilter, Store, WorkItem


class StatusChoice(StrEnum):
    """The statuses of an exception item, as options take them (the store's ``ItemStatus`` values; a
    unit test keeps them equal): declared here so the command line is built without the store."""

    OPEN = "open"
    RESOLVED = "resolved"
    IGNORED = "ignored"


_DURATION = re.compile(r"(\d+)([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}

OwnerOption = Annotated[Owner | None, typer.Option("--owner", help="Only this owner role.")]
StatusOption = Annotated[
    StatusChoice | None, typer.Option("--status", help="open, resolved or ignored (default: open).")
]
CodeOption = Annotated[
    str | None, typer.Option("--code", help="ERP fault code or error class (ITEM_NOT_FOUND, MappingError).")
]
StepOption = Annotated[str | None, typer.Option("--step", help="The step that parked it (orders.to_erp).")]
ChannelOption = Annotated[str | None, typer.Option("--channel", help="shopify, amazon, edi, or an inbound partner.")]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Created since: an ISO date/time (UTC if no zone) or 30m, 12h, 7d.")
]
YesOption = Annotated[bool, typer.Option("--yes", help="Act on every item the filters match.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print what would be acted on; change nothing.")]


def parse_since(value: str | None, *, now: datetime | None = None) -> datetime | None:
    if value is None:
        return None
    duration = _DURATION.fullmatch(value.strip())
    if duration is not None:
        amount, unit = duration.groups()
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is neither an ISO date/time nor a duration like 12h", param_hint="--since"
        ) from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def item_filter(
    *,
    owner: Owner | None,
    status: StatusChoice | None,
    code: str | None,
    step: str | None,
    channel: str | None,
    since: str | None,
) -> ItemFilter:
    from crossdock.store import ItemFilter, ItemStatus

    return ItemFilter(
        status=ItemStatus(status.value) if status is not None else ItemStatus.OPEN,
        owner=owner,
        code=code,
        step=step,
        channel=channel,
        since=parse_since(since),
    )


def has_filters(owner: object, status: object, code: object, step: object, channel: object, since: object) -> bool:
    return any(value is not None for value in (owner, status, code, step, channel, since))


def select_items(store: Store, ids: list[int] | None, where: ItemFilter | None) -> list[WorkItem]:
    """The items named by ``ids`` (each must exist: exit 1 otherwise), or those matching ``where``."""
    from crossdock.store import WorkItemNotFoundError

    if ids:
        try:
            return [store.exceptions.get(item_id) for item_id in dict.fromkeys(ids)]
        except WorkItemNotFoundError as exc:
            typer.echo(f"crossdock: {exc}", err=True)
            raise typer.Exit(1) from exc
    if where is None:
        typer.echo("crossdock: name exception item ids, or select items with filters (--status --owner ...)", err=True)
        raise typer.Exit(2)
    return store.exceptions.find(where)


def confirmed(items: list[WorkItem], *, by_ids: bool, yes: bool, dry_run: bool, verb: str) -> bool:
    """Whether to act: named ids act at once; filters print the count and act only with ``--yes``."""
    if dry_run:
        typer.echo(f"{len(items)} items would be {verb} (dry run: nothing changed)", err=True)
        return False
    if by_ids or yes:
        return True
    typer.echo(
        f"{len(items)} items match; nothing {verb}: add --yes to act on them (or --dry-run to list them)", err=True
    )
    return False
