"""The runtime map directory pyx12 reads: pyx12's installed map files plus crossdock's compiled ones.

This is the ONE filesystem write in ``crossdock.edi``, isolated here on purpose: pyx12 only loads maps
from a directory (``map_path``), never from memory, so the compiled XML must exist as files. The
directory is keyed by a hash of its whole content (pyx12's files and ours), built lazily on the first
validation (never at import), written to a temporary sibling and renamed into place so concurrent
builders never see half a directory. pyx12's own files are copied from the installed package at
runtime, never committed to this repository.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib.resources import files as package_files
from pathlib import Path

from crossdock.edi.maps.compiler import compile_all
from crossdock.errors import ConfigError


def default_cache_root() -> Path:
    """``$XDG_CACHE_HOME/crossdock`` (``~/.cache/crossdock``), or the temp dir when there is no home."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "crossdock"
    try:
        return Path.home() / ".cache" / "crossdock"
    except RuntimeError:
        return Path(tempfile.gettempdir()) / "crossdock-cache"


def _pyx12_files() -> dict[str, bytes]:
    folder = package_files("pyx12").joinpath("map")
    return {entry.name: entry.read_bytes() for entry in folder.iterdir() if entry.name.endswith(".xml")}


def map_directory(cache_root: Path | None = None) -> Path:
    """The path of a complete map directory for pyx12's ``map_path``, building it when missing."""
    theirs = _pyx12_files()
    ours = compile_all(theirs["maps.xml"], theirs["dataele.xml"])
    content = {**theirs, **ours}
    digest = hashlib.sha256()
    for name in sorted(content):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content[name]).digest())
    root = cache_root or default_cache_root()
    target = root / f"pyx12-maps-{digest.hexdigest()[:20]}"
    if (target / "maps.xml").is_file():
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
        for name, data in content.items():
            (staging / name).write_bytes(data)
        try:
            staging.rename(target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # another process won the race
            if not (target / "maps.xml").is_file():
                raise
    except OSError as exc:
        raise ConfigError(f"cannot build the pyx12 map directory under {root}: {exc}") from exc
    return target
