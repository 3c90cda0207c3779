"""A starter mapping for an unfamiliar ERP WSDL: pick its create-like operation and map its fields to a
canonical order by their names (``crossdock soap inspect WSDL --scaffold``).

The result is a starting point a person reviews, not a finished contract: it fills every required
field (with a constant when the name says nothing) and the optional ones whose names are telling.
"""

from __future__ import annotations

import re
from typing import Any

from crossdock.bridges.soap.inspect import FieldInfo, OperationInfo, PortInfo, WsdlReport
from crossdock.errors import ConfigError

_OPERATION_PREFERENCE = [
    re.compile(p, re.I)
    for p in (
        r"^create$",
        r"sales.?order.*create|create.*sales.?order",
        r"order.*create|create.*order",
        r"^create",
        r"create|insert|add|submit|post|request",
    )
]
_HEADER = [
    (  # an address's country, not a country of origin (NAV's Country_Region_of_Origin_Code on items)
        re.compile(r"(^|ship.?to.?|sell.?to.?|bill.?to.?|address.?|delivery.?)country(.?region)?(.?code)?$", re.I),
        {"source": "parties[role=ship_to].address.country"},
    ),
    (re.compile(r"city", re.I), {"source": "parties[role=ship_to].address.city"}),
    (re.compile(r"post.?code|postal|zip", re.I), {"source": "parties[role=ship_to].address.postal_code"}),
    (re.compile(r"currency|curr.?code", re.I), {"source": "currency"}),
    (
        re.compile(
            r"external.?(doc|ref)|purchase.?order.?(id|no|number)|^(po|order).?(no|number|id)$|^id$|^no$|recordid"
            r"|(cust|customer).?po.?(no|number)?$|^po.?(number|num)$|^buyer.?id$|customer.?requisition"
            r"|^(customer|your).?ref(erence)?(.?(no|number))?$|other.?ref.?num|purchase.?order.?by.?customer",
            re.I,
        ),
        {"source": "external_id"},
    ),
    (
        re.compile(
            r"(cust(omer)?|sell.?to|sold.?to|buyer)(.?org)?.?(no|id|num(ber)?|code|account|acct)$"
            r"|^(sold|sell).?to.?(customer|party)?$",
            re.I,
        ),
        {"source": "references.erp_customer_no"},
    ),
    (
        re.compile(r"^(ship.?to.?)?name$|first.?line.?name|^customer.?name$", re.I),
        {"source": "parties[role=ship_to].name"},
    ),
    (
        re.compile(r"^(order|ordered|document|posting|purchase.?order|creation)?_?date$", re.I),
        {"source": "ordered_at", "format": "date"},
    ),
]
_LINE = [  # matched against the field's path inside one line, so nested ids do not pass for the SKU
    (
        re.compile(r"(qty|quantity)$|^quantity\w*$", re.I),
        {"source": "quantity", "format": "decimal"},
    ),
    (
        re.compile(
            r"^(no|sku|item.?(no|id|number|code)|product.?(id|code)|product\.internalid|material\w*|part.?(no|num|number))$"
            r"|(^|_)(ordered_)?item$",
            re.I,
        ),
        {"source": "sku"},
    ),
    (re.compile(r"(^|_)(unit.?|sales.?|selling.?)*price$", re.I), {"source": "unit_price", "format": "decimal"}),
    (re.compile(r"^description$", re.I), {"source": "description"}),
    (re.compile(r"line.?(no|number)$|^position$|^id$", re.I), {"source": "$index", "format": "str"}),
    (re.compile(r"^(unit.?of.?measure\w*|uom|quantity\.unitcode)$", re.I), {"source": "unit_of_measure"}),
]
_LINE_HINT = re.compile(r"line|item|position|detail", re.I)
_DATE_TYPES = {"date", "Date"}
_NUMBER_TYPES = {"decimal", "float", "double", "Decimal"}
_INTEGER_TYPES = {"int", "integer", "long", "short", "byte", "unsignedInt", "unsignedShort", "nonNegativeInteger"}
MAX_DEPTH = 6


def _pick(report: WsdlReport) -> tuple[OperationInfo, PortInfo | None]:
    """The create-like operation, and the port it was found on (``None`` for an abstract WSDL): the
    best-named operation of all SOAP ports (SOAP 1.1 ports first, then document order)."""
    candidates: list[tuple[OperationInfo, PortInfo | None]]
    if report.ports:
        ports = sorted(report.ports, key=lambda port: port.soap != "1.1")  # as bind_service: SOAP 1.1 first
        candidates = [(op, port) for port in ports for op in port.operations]
    else:
        candidates = [(op, None) for ops in report.port_types.values() for op in ops]
    usable = [(op, port) for op, port in candidates if op.input and "multiple" not in op.name.lower()]
    if not usable:  # only operations without parameters (GetVersion()): an empty request still proves the fit
        usable = [(op, port) for op, port in candidates if op.input_element]
    for pattern in _OPERATION_PREFERENCE:
        for op, port in usable:
            if pattern.search(op.name):
                return op, port
    if not usable:
        names = ", ".join(dict.fromkeys(op.name for op, _ in candidates)) or "none"
        raise ConfigError(f"{report.location}: no operation with an input to map (operations: {names})")
    return usable[0]


def pick_operation(report: WsdlReport) -> OperationInfo:
    """The create-like operation of the WSDL's SOAP ports (or port types, for an abstract WSDL)."""
    return _pick(report)[0]


def _constant(info: FieldInfo) -> dict[str, Any]:
    if info.type in _DATE_TYPES:
        return {"source": "ordered_at", "format": "date"}
    if info.type == "dateTime":
        return {"source": "ordered_at"}
    if info.type in _NUMBER_TYPES:
        return {"const": 0, "format": "decimal"}
    if info.type in _INTEGER_TYPES:
        return {"const": 0, "format": "int"}
    if info.type == "boolean":
        return {"const": False}
    return {"const": "X"}


def _leaf_rule(key: str, xsd_type: str, table: list[tuple[re.Pattern[str], dict[str, Any]]]) -> dict[str, Any] | None:
    numeric = xsd_type in _NUMBER_TYPES or xsd_type in _INTEGER_TYPES
    for pattern, rule in table:
        if pattern.search(key):
            if numeric and rule.get("format") not in ("decimal", "int", "str"):
                return None  # a text source (a customer number, a name) cannot fill a numeric field
            rule = dict(rule)
            if rule.get("format") == "str" and xsd_type in _INTEGER_TYPES:
                rule["format"] = "int"
            elif rule.get("format") == "str" and xsd_type in _NUMBER_TYPES:
                rule["format"] = "decimal"
            elif rule.get("format") == "date" and xsd_type == "dateTime":
                del rule["format"]  # the canonical timestamp, ISO 8601 with its offset
            return rule
    return None


def _is_list(info: FieldInfo) -> bool:
    return info.max_occurs == "unbounded" or (isinstance(info.max_occurs, int) and info.max_occurs > 1)


def _first_value(fields: list[FieldInfo], prefix: str, depth: int = 0) -> tuple[str, FieldInfo] | None:
    """The path of the first value reachable without passing a repeated element or an attribute."""
    for info in fields:
        if info.name.startswith("@") or _is_list(info) or depth > MAX_DEPTH:
            continue
        simple_content = next((c for c in info.children if c.name == "_value_1"), None)
        if simple_content is not None:
            return f"{prefix}{info.name}._value_1", simple_content
        if not info.children:
            return f"{prefix}{info.name}", info
        found = _first_value(info.children, f"{prefix}{info.name}.", depth + 1)
        if found is not None:
            return found
    return None


def _other_alternatives(
    fields: list[FieldInfo], prefix: str, line: bool, depth: int, state: dict[str, bool]
) -> set[int]:
    """The members of each xsd:choice that the scaffold leaves out: it keeps one alternative, the first
    whose name is telling (tried on a scratch copy), else the first one; zeep refuses two of them."""
    groups: dict[str, list[FieldInfo]] = {}
    for info in fields:
        if info.choice is not None:
            groups.setdefault(info.choice, []).append(info)
    skipped: set[int] = set()
    for members in groups.values():
        keep = next((m for m in members if _walk([_alone(m)], prefix, {}, line, depth, dict(state))), members[0])
        skipped.update(id(m) for m in members if m is not keep)
    return skipped


def _alone(info: FieldInfo) -> FieldInfo:
    """``info`` outside its choice (so trying it does not recurse into the choice again)."""
    return FieldInfo(info.name, info.type, info.min_occurs, info.max_occurs, info.children)


def _lines_source(line: bool) -> str:
    """Where a repeated group's items come from: the order's lines (from inside a line: all of them)."""
    return "$root.lines" if line else "lines"


def _walk(
    fields: list[FieldInfo], prefix: str, rules: dict[str, Any], line: bool, depth: int, state: dict[str, bool]
) -> bool:
    """Add rules for ``fields``; return whether any of them came from a telling name (not a filler)."""
    table = _LINE if line else _HEADER
    telling = False
    skipped = _other_alternatives(fields, prefix, line, depth, state)
    for info in fields:
        if id(info) in skipped:
            continue
        if depth > MAX_DEPTH:
            continue
        if info.name.startswith("@"):
            if info.min_occurs >= 1:  # a required attribute (SAP's schemeID, ...): a filler a person reviews
                rules[f"{prefix}{info.name[1:]}"] = _constant(info)
            continue
        path = f"{prefix}{info.name}"
        required = info.min_occurs >= 1
        simple_content = next((c for c in info.children if c.name == "_value_1"), None)
        if simple_content is not None or not info.children:  # a value (SAP's ...ID types carry attributes)
            rule = _leaf_rule(path if line else info.name, (simple_content or info).type, table)
            telling |= rule is not None
            if rule is None and required:
                rule = _constant(simple_content or info)
            if rule is not None and not (_is_list(info) and "const" in rule):
                rules[f"{path}._value_1" if simple_content is not None else path] = rule
                for attribute in info.children:  # SAP's ID with schemeID="..." use="required"
                    if attribute.name.startswith("@") and attribute.min_occurs >= 1:
                        rules[f"{path}.{attribute.name[1:]}"] = _constant(attribute)
            continue
        if _is_list(info):
            claim = not line and not state["lines"] and (required or bool(_LINE_HINT.search(info.name)))
            if not claim and not required:
                continue  # a second, optional repeated group (schedule lines, notes): left for a person
            state["lines"] |= claim
            item_rules: dict[str, Any] = {}
            item_telling = _walk(info.children, "", item_rules, True, depth + 1, state)
            if required and not item_rules:  # the schema wants at least one item: fill its first value
                filler = _first_value(info.children, "")
                if filler is not None:
                    item_rules[filler[0]] = _constant(filler[1])
            if item_rules and (item_telling or required):
                rules[path] = {"source": _lines_source(line), "fields": item_rules}
                telling |= item_telling
            continue
        nested: dict[str, Any] = {}
        nested_telling = _walk(info.children, f"{path}.", nested, line, depth + 1, state)
        if required or nested_telling:
            if not nested:  # a required group nothing telling fills: its first value, so it is there
                filler = _first_value(info.children, f"{path}.")
                if filler is not None:
                    nested[filler[0]] = _constant(filler[1])
                else:  # only repeated groups inside: one item per line, with that item's first value
                    for child in info.children:
                        item = _first_value(child.children, "") if _is_list(child) else None
                        if item is not None:
                            item_fields = {item[0]: _constant(item[1])}
                            nested[f"{path}.{child.name}"] = {"source": _lines_source(line), "fields": item_fields}
                            break
            rules.update(nested)
            telling |= nested_telling
    return telling


def scaffold_mapping(report: WsdlReport, logical: str = "create_sales_order") -> dict[str, Any]:
    """A mapping file's content (``name``, ``operations``) for the WSDL's create-like operation. With
    more than one SOAP port it names the service and port the operation was found on."""
    operation, port = _pick(report)
    rules: dict[str, Any] = {}
    _walk(operation.input, "", rules, False, 0, {"lines": False})
    entry: dict[str, Any] = {"operation": operation.name}
    if port is not None and len(report.ports) > 1:
        entry |= {"service": port.service, "port": port.port}
    entry |= {"document": "order", "request": rules}
    return {"name": f"scaffold-{operation.name}", "operations": {logical: entry}}
