"""The legacy ERP contract: shipped WSDL (``contract/``), operation/field map from configuration,
pure mapping, fault classes, and the simulator (``sim/``).

Everything here but ``sim`` is pure: no zeep, no HTTP, no database. The zeep client lives in
``crossdock.bridges.soap``; it hands the request dicts built here to zeep, which checks them against
the WSDL's types.
"""

from crossdock.soap.faults import ErpBusyError, ErpFault, ErpRefusedError, classify, read_fault
from crossdock.soap.mapping import build_request, read_items, read_response
from crossdock.soap.mapping_config import ErpMapping, FieldRule, ListRule, OperationMap, default_mapping, load_mapping
from crossdock.soap.outline import WsdlOutline, read_outline
from crossdock.soap.safe_xml import HostileXmlError, parse_xml

__all__ = [
    # mapping
    "ErpMapping",
    "FieldRule",
    "ListRule",
    "OperationMap",
    "build_request",
    "default_mapping",
    "load_mapping",
    "read_items",
    "read_response",
    # faults
    "ErpRefusedError",
    "ErpBusyError",
    "ErpFault",
    "classify",
    "read_fault",
    # WSDL and XML
    "HostileXmlError",
    "WsdlOutline",
    "parse_xml",
    "read_outline",
]
