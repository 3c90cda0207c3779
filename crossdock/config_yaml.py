"""The one YAML loader of crossdock's configuration files (settings, flows, SFTP, ERP and partner
profiles, ERP mappings): safe, and bounded, so a hostile or broken file is a ``ConfigError`` naming the
file and line, never a traceback.

PyYAML alone raises ``RecursionError`` on deep nesting, ``ValueError`` on a 5,000-digit integer or a
date such as ``2024-13-45``, and expands aliases (a "billion laughs" of a few lines) for whatever reads
the result. Here the composer counts depth and the nodes the document expands to, refuses oversized
scalars and numbers before they are converted, and a conversion that fails is reported where it
stands. Messages never quote the file's text (a config line can hold a password or a token): see
:func:`crossdock.yaml_problem.yaml_problem`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from crossdock.errors import ConfigError
from crossdock.yaml_problem import yaml_problem

MAX_BYTES = 4 * 1024 * 1024  # a configuration file; the largest real one is a few KB
MAX_DEPTH = 64  # nested collections
MAX_SCALAR_CHARS = 64 * 1024  # a PEM key or a pinned host key list fits
MAX_NUMBER_CHARS = 64  # an int or float written with more characters is refused before conversion
MAX_NODES = 100_000  # values in the document once aliases are expanded
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


class _LimitError(ComposerError):
    """A document past one of this module's limits (a ``YAMLError``: located like a syntax error)."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: bytes) -> None:
        super().__init__(stream)
        self._depth = 0
        self._weights: dict[int, int] = {}  # id(node) -> values it expands to (aliases included)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            if id(node) not in self._weights:
                raise _LimitError("an alias refers to the collection it is inside", event.start_mark)
            return node
        if isinstance(event, ScalarEvent) and len(event.value) > MAX_SCALAR_CHARS:
            problem = f"a value of {len(event.value)} characters, more than {MAX_SCALAR_CHARS}"
            raise _LimitError(problem, event.start_mark)
        if self._depth >= MAX_DEPTH:
            raise _LimitError(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is None:
            return None
        weight = 1
        if isinstance(node, SequenceNode):
            weight += sum(self._weights[id(child)] for child in node.value)
        elif isinstance(node, MappingNode):
            weight += sum(self._weights[id(key)] + self._weights[id(value)] for key, value in node.value)
        if weight > MAX_NODES:
            raise _LimitError(f"the document expands to more than {MAX_NODES} values", node.start_mark)
        self._weights[id(node)] = weight
        return node

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if isinstance(node, ScalarNode) and node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            problem = f"a number of {len(node.value)} characters, more than {MAX_NUMBER_CHARS}"
            raise _LimitError(problem, node.start_mark)
        try:
            return super().construct_object(node, deep)
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:  # a date like 2024-13-45, `!!int ""`
            problem = f"cannot read this {_kind(node)} ({type(exc).__name__})"
            raise ConstructorError(None, None, problem, node.start_mark) from None


class _Yaml12Loader(_BoundedLoader):
    """YAML 1.2 booleans: only true/false. Under YAML 1.1 an ERP field named ``No`` (NAV's document
    number) or ``On`` would silently become a boolean key."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _kind(node: Node) -> str:
    return node.tag.rsplit(":", 1)[-1] if node.tag.startswith("tag:yaml.org,2002:") else "value"


def load_yaml(data: bytes, origin: str, *, yaml12_booleans: bool = False) -> Any:
    """The one document in ``data``, as plain Python values (``None`` for an empty file).

    ``origin`` names the file in every error (``"SFTP partner profile partners/acme.yaml"``).
    ``yaml12_booleans``: only ``true``/``false`` are booleans (``yes``, ``no``, ``on`` stay strings).
    """
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{origin} has {len(data)} bytes, more than the {MAX_BYTES} a configuration file may have")
    try:
        return _load(data, _Yaml12Loader if yaml12_booleans else _BoundedLoader)
    except _LimitError as exc:
        raise ConfigError(f"{origin} is refused: {yaml_problem(exc)}") from None
    except yaml.reader.ReaderError as exc:  # not UTF-8/16, or a control character
        raise ConfigError(f"{origin} is not valid YAML: {exc.reason} at character {exc.position}") from None
    except yaml.YAMLError as exc:  # the cause is not chained: its text quotes the line (a password)
        raise ConfigError(f"{origin} is not valid YAML: {yaml_problem(exc)}") from None


def _load(data: bytes, loader_class: type[_BoundedLoader]) -> Any:
    loader = loader_class(data)  # reads the encoding: may raise a ReaderError already
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
