"""``crossdock sftp check|poll|push PROFILE.yaml``: talk to one 3PL's SFTP server.

Exit codes: 0 done; 1 the server or a file failed (connection, refused upload, rejected inbound
files); 2 configuration problem (profile, pinned host key, credentials).
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crossdock.cli import runtime
from crossdock.errors import ConfigError, CrossdockError

if TYPE_CHECKING:
    import paramiko

    from crossdock.bridges.sftp import InboundSink, MailboxLock, PollReport

app = typer.Typer(
    rich_markup_mode=None,
    help="3PL files over SFTP: check a partner profile, poll inbound files, push outbound files.",
    no_args_is_help=True,
)
CONFIG_EXIT = 2
FAILED_EXIT = 1

ProfileArg = Annotated[Path, typer.Argument(help="The trading partner's SFTP profile (YAML).")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="sftp")


def _fail(exc: CrossdockError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(CONFIG_EXIT if isinstance(exc, ConfigError) else FAILED_EXIT)


@app.command("check")
def check_command(profile_file: ProfileArg) -> None:
    """Validate PROFILE, connect with the pinned host key and list the partner's folders."""
    from crossdock.bridges.sftp import SftpSession, load_profile
    from crossdock.bridges.sftp.hostkeys import fingerprint

    try:
        profile = load_profile(profile_file)
        for key in profile.pinned_keys():
            typer.echo(f"pinned {fingerprint(key)}")
        with SftpSession(profile) as session:
            for role, folder in profile.folders.model_dump().items():
                entries = session.call("list", functools.partial(_count, folder), path=folder)
                typer.echo(f"{role:9} {folder}: {entries} entries")
    except CrossdockError as exc:
        raise _fail(exc) from exc


def _count(folder: str, sftp: paramiko.SFTPClient) -> int:
    return len(sftp.listdir(folder))


def _print_report(report: PollReport) -> None:
    for name, ref in report.accepted:
        typer.echo(f"accepted  {name}  {ref}")
    for name, reason in report.duplicates:
        typer.echo(f"duplicate {name}: {reason}")
    for name, reason in report.rejected:
        typer.echo(f"rejected  {name}: {reason}", err=True)
    for name, reason in report.unsafe:
        typer.echo(f"refused   {name!r}: {reason}", err=True)
    for name in report.waiting:
        typer.echo(f"waiting   {name} (still being written)")
    for name, what in report.gone:
        typer.echo(f"gone      {name}: {what}")
    if report.busy is not None:
        typer.echo(f"busy      {report.busy}")


@app.command("poll")
def poll_command(
    profile_file: ProfileArg,
    to: Annotated[
        Path | None,
        typer.Option("--to", help="Folder for raw files and journal.jsonl; default <data_dir>/sftp/<partner>."),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="One poll (new files get a settle_s second look).")] = False,
    max_polls: Annotated[int | None, typer.Option("--max-polls", min=1, help="Stop after N polls.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each poll's report as one JSON line.")] = False,
    enqueue: Annotated[
        bool,
        typer.Option(
            "--enqueue",
            help="Store files in crossdock's database and send them to the edi.inbound flow on RabbitMQ "
            "(needs CROSSDOCK_BROKER_URL and <config_dir>/flows.yaml) instead of a folder.",
        ),
    ] = False,
) -> None:
    """Fetch complete inbound files: store each durably (under --to, or in the database with --enqueue)
    and hand it on, THEN archive it on the server; non-X12 or unreadable files go to the error folder
    with a reason file. Without --once or --max-polls it polls every poll_interval_s until interrupted.
    Each poll holds the mailbox's lock (in the database with --enqueue: across hosts on PostgreSQL; in
    the folder otherwise): a poll that finds another poller holding it skips and says "busy"."""
    from crossdock.actors.wiring import intake
    from crossdock.bridges.sftp import InboundPoller, SftpSession, load_profile
    from crossdock.bridges.sftp.folder_sink import FolderSink

    problems: list[PollReport] = []

    def show(report: PollReport) -> None:
        if report.rejected or report.unsafe:
            problems.append(report)
        if as_json:
            sys.stdout.write(json.dumps(report.to_dict()) + "\n")
            sys.stdout.flush()
        else:
            _print_report(report)

    try:
        profile = load_profile(profile_file)
        settings = runtime.settings()
        with contextlib.ExitStack() as stack:
            sink: InboundSink
            lock: MailboxLock
            if enqueue:  # the lock in the store: across hosts on PostgreSQL
                sink = lock = stack.enter_context(intake(settings))[0]
                runtime.open_store(settings).close()  # refuse to start on a database without its schema
            else:  # the lock in the folder: this host
                sink = lock = FolderSink(to if to is not None else settings.data_dir / "sftp" / profile.partner)
            session = stack.enter_context(SftpSession(profile))
            poller = InboundPoller(session, sink, lock=lock)
            if once:
                show(poller.poll_once())
            else:
                poller.run(max_polls=max_polls, on_report=show)
    except CrossdockError as exc:
        raise _fail(exc) from exc
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    if problems:
        raise typer.Exit(FAILED_EXIT)


@app.command("push")
def push_command(
    profile_file: ProfileArg,
    file: Annotated[Path, typer.Argument(help="The X12 file to upload.")],
    name: Annotated[str | None, typer.Option("--name", help="Remote name; default: the profile's pattern.")] = None,
) -> None:
    """Upload FILE to the partner's outbound folder (temporary name, then rename; never overwrites).
    Without --name the remote name comes from the profile's outbound_name pattern, filled from the
    file's ST01 and ISA13."""
    from crossdock.bridges.sftp import SftpSession, identify, load_profile, upload, upload_document

    try:
        profile = load_profile(profile_file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read {file}: {exc.strerror}") from exc
        with SftpSession(profile) as session:
            if name is not None:
                result = upload(session, name, data)
            else:
                item, problem = identify(profile.partner, file.name, data)
                if problem is not None or item.isa is None:
                    raise ConfigError(f"{file}: {problem or 'no ISA13'}; pass --name to upload it anyway")
                set_id = _first_set_id(data)
                result = upload_document(session, data, set_id=set_id, control=int(item.isa.control_number))
    except CrossdockError as exc:
        raise _fail(exc) from exc
    typer.echo(f"uploaded {result.path} ({result.size} bytes)")


def _first_set_id(data: bytes) -> str:
    from crossdock.edi.scan import scan_envelopes

    for interchange in scan_envelopes(data).interchanges:
        for _, set_id, _ in interchange.sets:
            return set_id
    raise ConfigError("no ST segment")
