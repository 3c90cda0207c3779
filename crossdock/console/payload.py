"""Raw payloads as an operator reads them: JSON indented, X12 one segment per line, XML indented,
anything else as text; with customer PII masked for roles that must not see it.

Masking is by meaning, not by guess at the text: JSON and XML fields whose names hold personal data
(name, email, phone, address, street, city, postal code, contact), and the X12 segments that carry a
party's name, address and contact (N1-02, N2, N3, N4-01..03, PER-02/04/06/08). Ids stay: they name
trading partners and orders, not people.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from crossdock.soap.safe_xml import HostileXmlError, local_name, parse_xml

MASK = "[masked]"
MAX_SHOWN = 512 * 1024
_PII_KEY = re.compile(
    r"(^|_)(name|first_?name|last_?name|email|phone|address\d?|street\d?|line\d|city|zip|postal\w*|contact)$",
    re.IGNORECASE,
)
_NOT_PII = frozenset({"actor_name", "queue_name", "file_name", "host_name", "name_space", "sku_name", "product_name"})
_X12_PII = {"N1": (2,), "N2": (1, 2), "N3": (1, 2), "N4": (1, 2, 3), "PER": (2, 4, 6, 8)}


@dataclass(frozen=True, slots=True)
class Shown:
    kind: str
    """``json``, ``x12``, ``xml`` or ``text``."""
    text: str
    masked: bool
    truncated: bool
    problem: str | None = None
    """Why the payload is shown as plain text although it looks like JSON or XML."""


def _pii_key(key: str) -> bool:
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).lower()
    return snake not in _NOT_PII and bool(_PII_KEY.search(snake))


def mask_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (MASK if _pii_key(str(k)) and v not in (None, "", [], {}) and not isinstance(v, dict | list)
                    else _mask_nested(k, v)) for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [mask_json(v) for v in value]
    return value


def _mask_nested(key: str, value: Any) -> Any:
    if _pii_key(str(key)) and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [MASK for _ in value]  # address lines
    if _pii_key(str(key)) and isinstance(value, dict):
        return {k: MASK if isinstance(v, str | int | float) and v != "" else mask_json(v) for k, v in value.items()}
    return mask_json(value)


def _x12_segments(text: str) -> tuple[list[str], str]:
    terminator = text[105] if len(text) > 105 and text.startswith("ISA") else "~"
    return [s.strip("\r\n") for s in text.split(terminator) if s.strip()], text[3] if len(text) > 3 else "*"


def _show_x12(text: str, mask: bool) -> str:
    segments, separator = _x12_segments(text)
    lines = []
    for segment in segments:
        elements = segment.split(separator)
        if mask and elements[0] in _X12_PII:
            for position in _X12_PII[elements[0]]:
                if position < len(elements) and elements[position]:
                    elements[position] = MASK
        lines.append(separator.join(elements) + "~")
    return "\n".join(lines)


def _show_xml(data: bytes, mask: bool) -> str:
    root = parse_xml(data, "payload")
    if mask:
        for element in root.iter():
            if isinstance(element.tag, str) and element.text and element.text.strip() and _pii_key(local_name(element)):
                element.text = MASK
    return str(etree.tostring(root, pretty_print=True, encoding="unicode"))


def show(content: bytes, *, mask: bool) -> Shown:
    """The payload for display; ``mask`` replaces customer PII (viewer role)."""
    truncated = len(content) > MAX_SHOWN
    data = content[:MAX_SHOWN]
    text = data.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith("ISA") or re.match(r"^[A-Z0-9]{2,3}\*", stripped):
        return Shown("x12", _show_x12(stripped, mask), mask, truncated)
    problem: str | None = None
    if stripped[:1] in "{[" and not truncated:
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            problem = f"not valid JSON: {exc}"
        else:
            inner = _decode_inner(parsed)
            value = mask_json(inner) if mask else inner
            return Shown("json", json.dumps(value, indent=2, ensure_ascii=False, default=str), mask, truncated)
    if stripped.startswith("<") and not truncated:
        try:
            return Shown("xml", _show_xml(data, mask), mask, truncated)
        except HostileXmlError as exc:  # not well-formed, or a DOCTYPE: shown as text, saying why
            problem = str(exc)
    if mask:
        return Shown("text", "(not shown: the payload is neither JSON, X12 nor XML, and your role sees no PII)",
                     mask, truncated, problem)  # fmt: skip
    return Shown("text", text, mask, truncated, problem)


def _decode_inner(parsed: Any) -> Any:
    """A Dramatiq message body keeps crossdock's message as a JSON string in ``args``: show it parsed."""
    if isinstance(parsed, dict) and isinstance(parsed.get("args"), list):
        args = []
        for arg in parsed["args"]:
            try:
                args.append(json.loads(arg) if isinstance(arg, str) and arg[:1] in "{[" else arg)
            except ValueError:
                args.append(arg)
        return {**parsed, "args": args}
    return parsed
