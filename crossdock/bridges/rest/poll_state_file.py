"""Where an order poll stands between runs: one small JSON file per channel, replaced atomically.

``{"format": 1, "channel": "amazon", "saved_at": "...", "state": PollState.to_json()}``. A save writes
a temporary file in the same folder, flushes it to disk, then renames it over the old one (and syncs
the folder): a crash at any point leaves either the old state or the new one, never half of either.
A file that cannot be read back is a :class:`~crossdock.errors.ConfigError` naming it: the poller
does not guess where to start, the operator decides (fix it, or delete it and pass ``--since``).
:meth:`PollStateFile.exclusive` keeps a second poller off the same file (``<file>.lock``, ``flock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from crossdock.bridges.rest.polling import PollState
from crossdock.errors import ConfigError

FORMAT = 1


class PollStateFile:
    def __init__(self, path: Path, channel: str) -> None:
        self.path = path
        self.channel = channel

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold this state for the calling poller; another holder is a ConfigError. The lock goes with
        the process (``flock``), so a poller that was killed leaves nothing to clean up."""
        lock = self.path.with_name(f"{self.path.name}.lock")
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ConfigError(f"cannot lock poll state {self.path}: {exc.strerror}") from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ConfigError(f"poll state {self.path} is in use by another poller ({lock} is locked)") from None
            yield
        finally:
            os.close(fd)

    def load(self) -> PollState | None:
        """The saved state, or ``None`` when no poll of this channel has saved one yet."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"cannot read poll state {self.path}: {exc.strerror}") from exc
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError(f"not a format {FORMAT} poll state")
            state = PollState.from_json(data["state"])
            if state.watermark.tzinfo is None:
                raise ValueError("the watermark has no UTC offset")
        except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
            detail = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
            raise ConfigError(
                f"poll state {self.path} is unreadable ({detail}); fix it, or delete it and pass --since"
            ) from None
        if data.get("channel") != self.channel:
            raise ConfigError(f"poll state {self.path} is for channel {data.get('channel')!r}, not {self.channel!r}")
        return state

    def save(self, state: PollState) -> None:
        """Replace the saved state with ``state``, atomically and durably."""
        data = {"format": FORMAT, "channel": self.channel, "saved_at": datetime.now(UTC).isoformat(),
                "state": state.to_json()}  # fmt: skip
        body = json.dumps(data, indent=2).encode() + b"\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        except OSError as exc:
            raise ConfigError(f"cannot write poll state {self.path}: {exc.strerror}") from exc
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise ConfigError(f"cannot write poll state {self.path}: {exc.strerror}") from exc
        _sync_folder(self.path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
