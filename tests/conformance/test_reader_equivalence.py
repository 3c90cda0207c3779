"""The streaming reader gives the same segments, warnings and translations however the input is cut
into chunks, on every file of the shared corpus and the examples (the corpus is skipped without it):
speed work on the tokenizer (its fast path per chunk, its slow path for odd layouts) must not change
what is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdock.edi.reader import X12Reader
from crossdock.edi.sets.mapping import Lookups
from crossdock.edi.translate import iter_translations
from crossdock.errors import EdiError
from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parents[2]
X12_DIR = CORPUS / "x12"
FILES = [*sorted((ROOT / "examples").glob("*.x12")),
         *sorted(p for p in X12_DIR.rglob("*") if p.is_file() and p.suffix.lower() != ".md")]  # fmt: skip
CHUNKS = (1, 7, 64, 4096, 1 << 22)

pytestmark = pytest.mark.timeout(120)


def segments(data: bytes, chunk_size: int) -> object:
    reader = X12Reader(data, chunk_size=chunk_size)
    try:
        read = [(s.elements, s.index, s.offset, s.component_separator, s.repetition_separator)
                for s in reader.segments()]  # fmt: skip
    except EdiError as exc:
        return ("error", str(exc), _codes(reader))
    return read, _codes(reader)


def _codes(reader: X12Reader) -> set[str | None]:
    """What was tolerated. Not the wording or the offset: a chunk that ends inside a layout is read
    by the tokenizer's slow path, which words some warnings its own way and places them where it meets
    them first (the segments themselves do not change)."""
    return {w.code for w in reader.warnings}


def translations(data: bytes, chunk_size: int) -> str:
    reader = X12Reader(data, chunk_size=chunk_size)
    out: list[object] = []
    try:
        out.extend(r.to_dict() for r in iter_translations(reader, Lookups()))
    except EdiError as exc:
        out.append(("error", str(exc)))
    return json.dumps(out, sort_keys=True, default=str)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_chunking_does_not_change_what_is_read(path: Path) -> None:
    data = path.read_bytes()
    expected = segments(data, 4096)
    for chunk_size in CHUNKS:
        assert segments(data, chunk_size) == expected, chunk_size
    assert translations(data, 7) == translations(data, 4096) == translations(data, 1 << 22)
