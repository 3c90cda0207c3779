"""The operation/field map, loaded from YAML: how canonical documents become one ERP's requests.

A user with another ERP writes their own file instead of code::

    name: my-erp
    operations:
      create_sales_order:                # the logical operation crossdock calls
        operation: SalesOrderCreate      # the WSDL operation it maps to
        document: order                  # canonical document checked against the source paths
        owner: integration               # who handles this operation's business faults
        request:                         # target path in the request  ←  source path in the document
          Order.CustomerRef: references.erp_customer_no
          Order.OrderDate: {source: ordered_at, format: date, required: true}
          Order.Channel: {const: WEB}
          Order.Lines.Line:              # a list rule: one Line per canonical line
            source: lines
            fields:
              LineNo: $index
              Sku: {source: sku, required: true}
        response:                        # logical name  ←  path in the response
          document_no: DocumentNo

Loading never touches the network; every problem is a ``ConfigError`` naming the file and field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag, ValidationError, model_validator

from crossdock.canonical import document_class
from crossdock.config_yaml import load_yaml
from crossdock.errors import ConfigError, Owner
from crossdock.soap import contract, source_check
from crossdock.soap.paths import SourcePath, parse_source, parse_target

Format = Literal["str", "upper", "date", "decimal", "int", "bool"]
Scalar = str | int | float | bool


class FieldRule(BaseModel):
    """One element filled from a source path (or a constant)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = None
    const: Scalar | None = None
    default: Scalar | None = None
    required: bool = False
    format: Format | None = None
    _path: SourcePath | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_origin(self) -> FieldRule:
        if (self.source is None) == (self.const is None):
            raise ValueError("give exactly one of 'source' or 'const'")
        if self.source is not None:
            self._path = parse_source(self.source)
        return self

    @property
    def path(self) -> SourcePath | None:
        return self._path


class ListRule(BaseModel):
    """A repeated element: one per item of a source list, each filled by ``fields``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    fields: dict[str, Rule] = Field(min_length=1)
    required: bool = False
    _path: SourcePath | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _parse(self) -> ListRule:
        self._path = parse_source(self.source)
        _check_targets(self.fields)
        return self

    @property
    def path(self) -> SourcePath:
        assert self._path is not None
        return self._path


def _rule_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "list" if "fields" in value else "field"
    return "list" if isinstance(value, ListRule) else "field"


def _shorthand(value: Any) -> Any:
    return {"source": value} if isinstance(value, str) else value


Rule = Annotated[
    Annotated[FieldRule, Tag("field")] | Annotated[ListRule, Tag("list")],
    Discriminator(_rule_kind),
]


def _check_targets(rules: dict[str, Any]) -> None:
    for target in rules:
        parse_target(target)


class ResponseItems(BaseModel):
    """A repeated response element read into a list of dicts: ``path`` to the list, then each
    logical field ← a dotted path inside one item."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    fields: dict[str, str] = Field(min_length=1)

    @model_validator(mode="after")
    def _parse(self) -> ResponseItems:
        parse_target(self.path)
        for name, path in self.fields.items():
            try:
                parse_target(path)
            except ValueError as exc:
                raise ValueError(f"fields.{name}: {exc}") from None
        return self


class OperationMap(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    operation: str = Field(min_length=1, description="The WSDL operation name.")
    service: str | None = Field(default=None, description="WSDL service; default: the first one.")
    port: str | None = Field(default=None, description="WSDL port; default: the service's first port.")
    document: str | None = Field(default=None, description="Canonical document the source paths are checked against.")
    owner: Owner = Owner.INTEGRATION
    request: dict[str, Rule] = Field(default_factory=dict)
    response: dict[str, str] = Field(default_factory=dict)
    response_items: ResponseItems | None = None

    @model_validator(mode="before")
    @classmethod
    def _expand(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            data["request"] = _expand_rules(data.get("request") or {})
        return data

    @model_validator(mode="after")
    def _check(self) -> OperationMap:
        _check_targets(self.request)
        for name, path in self.response.items():
            try:
                parse_target(path)
            except ValueError as exc:
                raise ValueError(f"response.{name}: {exc}") from None
        if self.document is not None:
            try:
                model = document_class(self.document)
            except KeyError as exc:
                raise ValueError(str(exc.args[0])) from None
            _check_sources(self.request, model, model, "request")
        return self


def _expand_rules(rules: Any) -> Any:
    if not isinstance(rules, dict):
        return rules
    out = {}
    for target, rule in rules.items():
        rule = _shorthand(rule)
        if isinstance(rule, dict) and "fields" in rule:
            rule = {**rule, "fields": _expand_rules(rule["fields"])}
        out[target] = rule
    return out


def _check_sources(rules: dict[str, FieldRule | ListRule], context: Any, root: Any, where: str) -> None:
    for target, rule in rules.items():
        if isinstance(rule, ListRule):
            error, item = source_check.check(rule.path, context, root, want_list=True)
            if error:
                raise ValueError(f"{where}.{target}: {error}")
            _check_sources(rule.fields, item, root, f"{where}.{target}")
        elif rule.path is not None:
            error, _ = source_check.check(rule.path, context, root)
            if error:
                raise ValueError(f"{where}.{target}: {error}")


class ErpMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    operations: dict[str, OperationMap] = Field(min_length=1)

    def operation(self, logical: str) -> OperationMap:
        try:
            return self.operations[logical]
        except KeyError:
            known = ", ".join(sorted(self.operations))
            raise ConfigError(f"ERP mapping {self.name!r} has no operation {logical!r} (known: {known})") from None


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc if part not in ("field", "list")) or "(top level)"


def load_mapping(data: bytes, origin: str = "ERP mapping") -> ErpMapping:
    """Parse and check a mapping file's bytes; ``origin`` (a file name) prefixes every error."""
    raw = load_yaml(data, origin, yaml12_booleans=True)  # a field named No or On stays a string
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin} must be a mapping with 'name' and 'operations'")
    try:
        return ErpMapping.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_where(err['loc'])}: {err['msg'].removeprefix('Value error, ')}" for err in exc.errors()
        )
        raise ConfigError(f"{origin}: {problems}") from exc


def default_mapping() -> ErpMapping:
    """The mapping onto crossdock's shipped reference ERP WSDL."""
    return load_mapping(contract.read(contract.MAPPING_NAME), "packaged mapping.yaml")
