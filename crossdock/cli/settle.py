"""``crossdock settle import FILE --channel amazon|shopify|walmart`` and ``crossdock settle report``:
marketplace settlements read, matched to crossdock's orders, reconciled and posted to the ERP.

The work is in :mod:`crossdock.actors.handlers.settlements`; it is imported when a command runs, so
``crossdock --help`` stays fast. Exit codes: 0 done (exception items opened for what needs finance
are part of a normal import), 1 the file could not be read or the ERP refused the posting, 2 bad
configuration or the database/ERP unreachable (one line, no traceback).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Marketplace settlements: import, match, reconcile, post to the ERP; report.", no_args_is_help=True
)

ConfigOption = typer.Option(None, "--config", help="YAML settings file (default: $CROSSDOCK_CONFIG).")


class SettlementChannel(StrEnum):
    AMAZON = "amazon"
    SHOPIFY = "shopify"
    WALMART = "walmart"


def _emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _fail(code: int, message: str, as_json: bool) -> None:
    if as_json:
        _emit({"ok": False, "error": message})
    else:
        typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The settlement report as the marketplace delivers it.")],
    channel: Annotated[SettlementChannel, typer.Option("--channel", help="Whose report it is.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    post: Annotated[bool, typer.Option("--post/--no-post", help="Post the journal entry to the ERP.")] = True,
    config: Path | None = ConfigOption,
) -> None:
    """Import a settlement report: match each line to its order, reconcile expected against paid, open
    finance exception items, and post the settlement's journal entry to the ERP (once per line)."""
    from crossdock.actors.handlers.settlements import import_settlement, post_settlement
    from crossdock.canonical.finance import FinanceConfig, SettlementFileError
    from crossdock.errors import BusinessError, ConfigError, CrossdockError, Owner, TransientError

    try:
        store, flows, broker_url = _open(config)
    except ConfigError as exc:
        _fail(2, str(exc), as_json)
    finance = flows.finance if flows is not None else FinanceConfig()
    try:
        try:
            with file.open("rb") as stream:
                result = import_settlement(store, stream, source=file.name, channel=channel.value, config=finance)
        except OSError as exc:
            _fail(1, f"cannot read {file}: {exc.strerror}", as_json)
        except SettlementFileError as exc:
            store.exceptions.open(
                owner=Owner.FINANCE, error_class="SettlementFileError", code="SETTLEMENT_BAD_FILE",
                error_message=str(exc), business_key=f"settlement-file:{file.name}"[:200], actor="settle.import",
                idempotency_key=f"settlement-file:{file.name}"[:200], channel=channel.value,
            )  # fmt: skip
            _fail(1, str(exc), as_json)
        report: dict[str, Any] = {"ok": True, **result.as_dict(), "postings": []}
        if post and flows is None:
            report["posting_skipped"] = "no ERP configured (<config_dir>/flows.yaml)"
        elif post and flows is not None and broker_url is not None:
            report["queued"] = _enqueue(store, flows, config, result.summaries)
        elif post and flows is not None:
            from crossdock.actors.wiring import build_erp

            erp = build_erp(flows)
            for settlement_id in result.settlements:
                where = f"{channel.value} settlement {settlement_id}"
                try:
                    posted = post_settlement(store, erp, channel=channel.value, settlement_id=settlement_id,
                                             config=finance)  # fmt: skip
                except BusinessError as exc:
                    key = f"settlement:{channel.value}:{settlement_id}"
                    store.exceptions.open(
                        owner=Owner.FINANCE, error_class=type(exc).__name__, code="SETTLEMENT_POSTING_REFUSED",
                        error_message=f"{where}: the ERP refused the journal entry: {exc}", business_key=key,
                        actor="settle.post", idempotency_key=f"{key}:post", channel=channel.value,
                    )  # fmt: skip
                    _fail(1, f"{where}: the ERP refused the posting: {exc}", as_json)
                report["postings"].append(posted.as_dict())
    except TransientError as exc:
        _fail(2, str(exc), as_json)
    except CrossdockError as exc:
        _fail(1, str(exc), as_json)
    finally:
        store.close()
    if as_json:
        _emit(report)
        return
    typer.echo(
        f"{channel.value} {', '.join(result.settlements) or '(no settlement)'} from {file.name}: "
        f"{result.lines_read} lines ({result.lines_new} new, {result.lines_matched} matched), "
        f"{result.bad_rows} bad rows, {result.unmatched_orders} unknown orders, "
        f"{result.orders_reconciled} orders reconciled, {result.differences} differences"
    )
    if result.short_payment is not None:
        typer.echo(f"short payment: {result.short_payment}")
    for posting in report["postings"]:
        if posting["reference"] is None:
            typer.echo(f"settlement {posting['settlement']}: nothing new to post")
        else:
            typer.echo(
                f"settlement {posting['settlement']}: posted {posting['document_no']} "
                f"({posting['lines_posted']} lines, net {posting['net']}, reference {posting['reference']})"
            )
    for queued in report.get("queued", []):
        typer.echo(f"settlement {queued}: queued for posting (settlements.post, settlements lane)")
    if "posting_skipped" in report:
        typer.echo(f"not posted: {report['posting_skipped']}")
    if result.exception_items:
        typer.echo(f"finance exception items: {', '.join(map(str, sorted(result.exception_items)))}")


@app.command("report")
def report_command(
    settlement: Annotated[str | None, typer.Option("--settlement", help="One settlement id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    config: Path | None = ConfigOption,
) -> None:
    """Per settlement and channel: gross, fees, refunds, expected net, paid net, difference, matched %,
    open exception items."""
    from crossdock.errors import ConfigError, TransientError

    try:
        store, _, _ = _open(config, flows=False)
    except ConfigError as exc:
        _fail(2, str(exc), as_json)
    try:
        rows = store.settlements.report(settlement)
    except TransientError as exc:
        _fail(2, str(exc), as_json)
    finally:
        store.close()
    data = [
        {
            "channel": r.channel, "settlement": r.settlement_id, "currency": r.currency, "deposit_date": r.deposit_date,
            "gross": str(r.gross), "fees": str(r.fees), "refunds": str(r.refunds), "other": str(r.other),
            "expected_net": str(r.expected_net), "paid_net": str(r.paid_net), "difference": str(r.difference),
            "lines": r.lines, "matched_pct": r.matched_pct, "posted_lines": r.posted_lines,
            "open_exceptions": r.open_exceptions,
        }
        for r in rows
    ]  # fmt: skip
    if as_json:
        _emit({"ok": True, "settlements": data})
        return
    if not data:
        typer.echo("no settlements" + (f" with id {settlement}" if settlement else ""))
        return
    header = ("channel", "settlement", "gross", "fees", "refunds", "expected_net", "paid_net", "difference",
              "matched_pct", "open_exceptions")  # fmt: skip
    typer.echo("  ".join(header))
    for row in data:
        typer.echo("  ".join(str(row[name]) for name in header))


def _open(config: Path | None, *, flows: bool = True) -> tuple[Any, Any, str | None]:
    """The store (migrated), the flow configuration when ``<config_dir>/flows.yaml`` exists, and the
    broker URL (``None``: no RabbitMQ, post from this process)."""
    from crossdock.settings import load_settings
    from crossdock.store import Store

    settings = load_settings(config)
    flow_config = None
    if flows and settings.config_dir is not None:
        from crossdock.actors.flow_config import FLOWS_FILE, load_flow_config

        path = settings.config_dir / FLOWS_FILE
        if path.exists():
            flow_config = load_flow_config(path)
    store = Store.from_settings(settings)
    store.upgrade()
    return store, flow_config, settings.broker_url


def _enqueue(store: Any, flows: Any, config: Path | None, summaries: list[Any]) -> list[str]:
    """Send one ``settlements.post`` message per settlement to RabbitMQ: a worker posts it."""
    from crossdock.actors.graph import SETTLEMENTS_POST
    from crossdock.actors.handlers.settlements import post_message
    from crossdock.actors.steps import sender
    from crossdock.actors.wiring import build_flow_broker, build_ports
    from crossdock.settings import load_settings

    ports = build_ports(flows, store)
    broker = build_flow_broker(load_settings(config), ports)
    try:
        send = sender(broker)
        for summary in summaries:
            send(SETTLEMENTS_POST.name, *post_message(summary))
    finally:
        broker.close()
    return [summary.settlement_id for summary in summaries]
