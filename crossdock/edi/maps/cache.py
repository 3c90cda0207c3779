"""The runtime map directory pyx12 reads: pyx12's installed map files plus crossdock's compiled ones.

This is the ONE filesystem write in ``crossdock.edi``, isolated here on purpose: pyx12 only loads maps
from a directory (``map_path``), never from memory, so the compiled XML must exist as files. The
directory is keyed by a hash of its inputs (pyx12's files and the source of our maps), built lazily
on the first validation (never at import), written to a temporary sibling and renamed into place so
concurrent builders never see half a directory. pyx12's own files are copied from the installed
package at runtime, never committed to this repository.
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
        return _temp_root()


def _temp_root() -> Path:
    """Per user (the temp dir is shared), so no one else's files are ever taken for our maps."""
    uid = getattr(os, "getuid", lambda: 0)()
    return Path(tempfile.gettempdir()) / f"crossdock-cache-{uid}"


def _pyx12_files() -> dict[str, bytes]:
    folder = package_files("pyx12").joinpath("map")
    return {entry.name: entry.read_bytes() for entry in folder.iterdir() if entry.name.endswith(".xml")}


def map_directory(cache_root: Path | None = None) -> Path:
    """The path of a complete map directory for pyx12's ``map_path``, building it when missing.

    Without ``cache_root`` the user cache is tried first, then the system temp directory (a read-only
    home must not stop validation)."""
    theirs = _pyx12_files()
    name = f"pyx12-maps-{_inputs_digest(theirs)[:20]}"
    roots = [cache_root] if cache_root else [default_cache_root(), _temp_root()]
    failures: list[str] = []
    for root in roots:
        try:
            return _build(root / name, theirs)
        except OSError as exc:
            failures.append(f"{root}: {exc}")
    raise ConfigError(f"cannot build the pyx12 map directory ({'; '.join(failures)})")


def _inputs_digest(theirs: dict[str, bytes]) -> str:
    """A hash of everything the directory is made from: pyx12's map files and the source of crossdock's
    maps and their compiler (this package's modules). Keyed by its inputs, a directory already built
    is found without compiling anything (compiling every map took seconds per process)."""
    digest = hashlib.sha256()
    for name in sorted(theirs):
        digest.update(b"pyx12/" + name.encode() + b"\0" + hashlib.sha256(theirs[name]).digest())
    for module in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(b"crossdock/" + module.name.encode() + b"\0" + hashlib.sha256(module.read_bytes()).digest())
    return digest.hexdigest()


def _build(target: Path, theirs: dict[str, bytes]) -> Path:
    if (target / "maps.xml").is_file():
        return target
    content = {**theirs, **compile_all(theirs["maps.xml"], theirs["dataele.xml"])}
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        for name, data in content.items():
            (staging / name).write_bytes(data)
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / "maps.xml").is_file():  # another process may have won the race
            raise
    return target
