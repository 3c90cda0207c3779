"""Remote file names and folders: sanitised so nothing escapes its folder, and outbound names rendered
from the partner's pattern.

A safe name is one path component of ``A-Z a-z 0-9 . _ -``, at most 200 characters, not starting with
a dot or a dash (so no hidden files, no ``.``/``..``, nothing a shell reads as an option), with no
``..`` inside. Anything else (``/``, ``\\``, NUL, spaces, absolute paths) is rejected, never repaired.
"""

from __future__ import annotations

import posixpath
import re
import string
from datetime import datetime

from crossdock.bridges.sftp.errors import UnsafeRemoteNameError

MAX_NAME = 200
_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_FOLDER_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._ -]*")
PATTERN_FIELDS = frozenset({"partner", "set", "control", "timestamp", "id"})


def safe_name(name: str) -> str:
    """Return ``name`` when it is a safe single file name; raise :class:`UnsafeRemoteNameError`."""
    if not name:
        raise UnsafeRemoteNameError(name, "empty name")
    if "\x00" in name:
        raise UnsafeRemoteNameError(name, "contains NUL")
    if "/" in name or "\\" in name:
        raise UnsafeRemoteNameError(name, "contains a path separator (path traversal or absolute path)")
    if ".." in name:
        raise UnsafeRemoteNameError(name, "contains '..'")
    if len(name) > MAX_NAME:
        raise UnsafeRemoteNameError(name, f"longer than {MAX_NAME} characters")
    if not _SAFE.fullmatch(name):
        raise UnsafeRemoteNameError(name, "only letters, digits, '.', '_' and '-' are allowed, not first '.' or '-'")
    return name


def safe_folder(folder: str) -> str:
    """An absolute POSIX folder path without ``..``, ``.``, empty parts, backslashes or NUL."""
    if not folder.startswith("/"):
        raise ValueError("must be an absolute path starting with '/'")
    parts = folder.strip("/").split("/") if folder.strip("/") else []
    for part in parts:
        if part in {"", ".", ".."} or not _FOLDER_PART.fullmatch(part):
            raise ValueError(f"unsafe path component {part!r}")
    return "/" + "/".join(parts)


def remote_path(folder: str, name: str) -> str:
    return posixpath.join(folder, safe_name(name))


def check_pattern(pattern: str) -> str:
    """Validate an outbound name pattern: only known fields, and a sample renders to a safe name."""
    for _, field, _, _ in string.Formatter().parse(pattern):
        if field is not None and field not in PATTERN_FIELDS:
            raise ValueError(f"unknown field {{{field}}}; allowed: {', '.join(sorted(PATTERN_FIELDS))}")
    try:
        render_name(pattern, partner="partner", set_id="856", control=1, at=datetime(2024, 1, 2, 3, 4, 5), doc_id=1)
    except UnsafeRemoteNameError as exc:
        raise ValueError(exc.reason) from exc
    return pattern


def render_name(
    pattern: str, *, partner: str, set_id: str, control: int, at: datetime, doc_id: int | None = None
) -> str:
    """Render e.g. ``{partner}_{set}_{control:09d}_{timestamp}.edi``; the result must be a safe name.
    ``{id}`` is the document's own number (the outbox id), for a pattern that uses it."""
    fields = {"partner": partner, "set": set_id, "control": control, "timestamp": at.strftime("%Y%m%dT%H%M%S")}
    if doc_id is not None:
        fields["id"] = doc_id
    try:
        name = pattern.format(**fields)
    except (KeyError, ValueError, IndexError) as exc:
        raise UnsafeRemoteNameError(pattern, f"pattern does not render: {exc}") from exc
    return safe_name(name)


def document_name(pattern: str, *, partner: str, set_id: str, control: int, at: datetime, doc_id: int) -> str:
    """The file name of one outbound document: ``pattern`` rendered, and made to carry the ISA13 and
    the document's id whatever the pattern says (``_<control:09d>`` and ``_<id>`` go before the
    extension when the pattern lacks ``{control}`` or ``{id}``), so no two documents share a name."""
    used = {field for _, field, _, _ in string.Formatter().parse(pattern) if field}
    extra = ("" if "control" in used else "_{control:09d}") + ("" if "id" in used else "_{id}")
    stem, dot, extension = pattern.rpartition(".")
    if not dot or "{" in extension:
        stem, extension = pattern, ""
    full = f"{stem}{extra}.{extension}" if extension else f"{stem}{extra}"
    return render_name(full, partner=partner, set_id=set_id, control=control, at=at, doc_id=doc_id)
