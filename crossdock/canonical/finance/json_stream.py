"""A bounded, streaming reader for one JSON object whose arrays may be long: each top-level member is
handed over as it is read, and the items of a chosen array one at a time, so memory stays at one item
(at most ``max_value_chars``) whatever the file's size. Line numbers are tracked for error messages."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

from crossdock.canonical.finance.rows import SettlementFileError

CHUNK_BYTES = 65_536
MAX_VALUE_CHARS = 1_048_576
_WHITESPACE = " \t\r\n"


class JsonStream:
    def __init__(self, stream: IO[bytes], source: str, *, max_value_chars: int = MAX_VALUE_CHARS) -> None:
        self._stream = stream
        self.source = source
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self._json = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._lines_dropped = 0
        self._eof = False
        self._max = max_value_chars

    @property
    def line(self) -> int:
        """The 1-based line of the reading position."""
        return self._lines_dropped + self._buf.count("\n", 0, self._pos) + 1

    def fail(self, message: str) -> SettlementFileError:
        return SettlementFileError(message, source=self.source, line=self.line)

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._stream.read(CHUNK_BYTES)
        try:
            text = self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise self.fail("not UTF-8 text") from exc
        if not chunk:
            self._eof = True
        self._lines_dropped += self._buf.count("\n", 0, self._pos)
        self._buf = self._buf[self._pos :] + text
        self._pos = 0
        return bool(chunk) or bool(text)

    def peek(self) -> str:
        """The next non-blank character ('' at the end of the file)."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in _WHITESPACE:
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise self.fail(f"expected {char!r}, found {found or 'the end of the file'!r}")
        self._pos += 1

    def value(self) -> Any:
        """The next JSON value, whole."""
        self.peek()
        while True:
            try:
                value, end = self._json.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if len(self._buf) - self._pos > self._max:
                    raise self.fail(f"a JSON value longer than {self._max} characters") from exc
                if not self._fill():
                    raise self.fail(f"bad JSON: {exc.msg}") from exc
                continue
            cut = end == len(self._buf) and not self._eof and not isinstance(value, (dict, list, str))
            if cut and self._fill():  # a number or literal cut at the chunk's end: read on, decode again
                continue
            self._pos = end
            return value

    def members(self) -> Iterator[str]:
        """The keys of the top-level object; after each, the caller reads its value (``value`` or ``items``)."""
        self.expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise self.fail("expected an object key")
            self.expect(":")
            yield key
            separator = self.peek()
            self._pos += 1
            if separator == "}":
                return
            if separator != ",":
                raise self.fail(f"expected ',' or '}}', found {separator or 'the end of the file'!r}")

    def items(self) -> Iterator[tuple[int, Any]]:
        """The items of the array at the reading position, each with the line it starts on."""
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            self.peek()
            line = self.line
            yield line, self.value()
            separator = self.peek()
            self._pos += 1
            if separator == "]":
                return
            if separator != ",":
                raise self.fail(f"expected ',' or ']', found {separator or 'the end of the file'!r}")

    def end(self) -> None:
        if self.peek() != "":
            raise self.fail("unexpected content after the JSON object")
