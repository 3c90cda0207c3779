"""Check a mapping file against a WSDL, offline: every mapped operation exists, every target path
names real elements (with the names the WSDL has when it does not), list rules land on repeated
elements and value rules on values. A typo is found before the first message is sent."""

from __future__ import annotations

from crossdock.bridges.soap.inspect import FieldInfo, OperationInfo, WsdlReport
from crossdock.soap.mapping_config import ErpMapping, ListRule, Rule
from crossdock.soap.paths import parse_target

Problem = tuple[str, str]


def _operations(report: WsdlReport, service: str | None, port: str | None) -> dict[str, OperationInfo]:
    """Operations by name: from the mapped (or first) port that has them, else from the port types."""
    found: dict[str, OperationInfo] = {}
    for ops in report.port_types.values():  # the first port type with the name wins, as in the scaffold
        for op in ops:
            found.setdefault(op.name, op)
    ports = [p for p in report.ports if (service is None or p.service == service) and (port is None or p.port == port)]
    for info in reversed(ports):  # the first port wins
        found.update({op.name: op for op in info.operations})
    return found


def _child(fields: list[FieldInfo], name: str) -> FieldInfo | None:
    return next((f for f in fields if f.name == name or f.name == f"@{name}"), None)


def _resolve(fields: list[FieldInfo], target: str) -> tuple[FieldInfo | None, str | None]:
    """The field at a dotted target path, or the reason it is not there."""
    current: FieldInfo | None = None
    options = fields
    for depth, name in enumerate(parse_target(target)):
        if current is not None and not current.children:
            return None, None  # the inspection stopped descending (depth/recursion guard): cannot judge
        found = _child(options, name)
        if found is None:
            where = current.name if current is not None else "the operation's input"
            known = ", ".join(f.name.lstrip("@") for f in options) or "nothing"
            return None, f"no element {name!r} in {where} (has: {known})"
        if depth < len(parse_target(target)) - 1 and _is_repeated(found):
            return None, f"{found.name!r} repeats: map it with a list rule (source + fields), not a dotted path"
        current, options = found, found.children
    return current, None


def _is_repeated(info: FieldInfo) -> bool:
    return info.max_occurs == "unbounded" or (isinstance(info.max_occurs, int) and info.max_occurs > 1)


def _alternatives(rules: dict[str, Rule], fields: list[FieldInfo], where: str, problems: list[Problem]) -> None:
    """Two rules filling two alternatives of one xsd:choice: zeep refuses such a request."""
    chosen: dict[tuple[str, str], str] = {}
    for target in rules:
        options, parent = fields, ""
        for name in parse_target(target):
            found = _child(options, name)
            if found is None:
                break
            if found.choice is not None:
                other = chosen.setdefault((parent, found.choice), found.name)
                if other != found.name:
                    problems.append(
                        (f"{where}.{target}", f"{found.name!r} and {other!r} are alternatives (xsd:choice): map one")
                    )
                    break
            options, parent = found.children, f"{parent}.{found.name}"


def _check(rules: dict[str, Rule], fields: list[FieldInfo], where: str, problems: list[Problem]) -> None:
    _alternatives(rules, fields, where, problems)
    for target, rule in rules.items():
        info, problem = _resolve(fields, target)
        at = f"{where}.{target}"
        if problem is not None:
            problems.append((at, problem))
            continue
        if info is None:
            continue
        if isinstance(rule, ListRule):
            if not _is_repeated(info):
                problems.append((at, f"a list rule needs a repeated element, and {info.name!r} occurs at most once"))
                continue
            _check(rule.fields, info.children, at, problems)
        elif info.children and not any(child.name == "_value_1" for child in info.children):
            names = ", ".join(child.name.lstrip("@") for child in info.children)
            problems.append((at, f"{info.name!r} is a complex element: map its children ({names})"))


def check_mapping(report: WsdlReport, mapping: ErpMapping) -> list[Problem]:
    """Every problem as ``(where in the mapping file, what is wrong)``; empty when the mapping fits."""
    problems: list[Problem] = []
    for logical, op in mapping.operations.items():
        where = f"operations.{logical}"
        operations = _operations(report, op.service, op.port)
        info = operations.get(op.operation)
        if info is None:
            known = ", ".join(sorted(operations)) or "none"
            problems.append((f"{where}.operation", f"the WSDL has no operation {op.operation!r} (has: {known})"))
            continue
        _check(op.request, info.input, f"{where}.request", problems)
    return problems
