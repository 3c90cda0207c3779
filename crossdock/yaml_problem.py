"""What to say about a YAML configuration file that does not parse: where (line, column) and what,
never PyYAML's own message, which quotes the offending line (a config line can hold a password or a
token). Callers raise their ``ConfigError`` with it ``from None``, so the quoting cause is not chained."""

from __future__ import annotations

import yaml


def yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
    return f"{getattr(exc, 'problem', None) or type(exc).__name__}{where}"
