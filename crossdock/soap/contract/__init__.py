"""The shipped contract of crossdock's reference legacy ERP: ``erp.wsdl`` (document/literal, SOAP 1.1)
importing ``erp.xsd``, plus ``mapping.yaml``, the default operation/field mapping onto that WSDL."""

from __future__ import annotations

from importlib import resources

NAMESPACE = "urn:crossdock:erp:v1"
SERVICE = "CrossdockErpService"
PORT = "SalesAndFinancePort"
BINDING = "{urn:crossdock:erp:v1}SalesAndFinanceBinding"
WSDL_NAME = "erp.wsdl"
XSD_NAME = "erp.xsd"
MAPPING_NAME = "mapping.yaml"


def read(name: str) -> bytes:
    """The bytes of one packaged contract file (``erp.wsdl``, ``erp.xsd`` or ``mapping.yaml``)."""
    if name not in (WSDL_NAME, XSD_NAME, MAPPING_NAME):
        raise ValueError(f"no packaged contract file {name!r}")
    return resources.files(__name__).joinpath(name).read_bytes()


__all__ = ["BINDING", "MAPPING_NAME", "NAMESPACE", "PORT", "SERVICE", "WSDL_NAME", "XSD_NAME", "read"]
