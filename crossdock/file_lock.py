"""A non-blocking exclusive lock on a file (``flock``), held for a ``with`` block.

The lock belongs to the open file, so it goes with the process: a holder that was killed leaves
nothing to clean up. It holds between processes (and between threads that each call
:func:`try_flock`) on one host, and across hosts only on a file system that carries ``flock``
locks; locks that must hold across hosts belong in the database (``crossdock.store.locks``).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crossdock.errors import ConfigError


@contextmanager
def try_flock(path: Path) -> Iterator[bool]:
    """Yield ``True`` while this caller holds ``path`` exclusively, ``False`` (at once, without
    waiting) when another holder has it. A lock file that cannot be opened is a ConfigError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise ConfigError(f"cannot open lock file {path}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
