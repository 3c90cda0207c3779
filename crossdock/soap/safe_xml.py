"""The one way crossdock's SOAP side parses XML: no DTD, no entities, no network, no huge trees.

Used by the ERP simulator for requests, by the WSDL outline and by fault parsing. zeep has its own
parser, configured by the same rules through ``zeep.Settings`` in ``crossdock.bridges.soap.factory``.
"""

from __future__ import annotations

from lxml import etree

from crossdock.errors import PermanentError


class HostileXmlError(PermanentError):
    """The XML is malformed or carries a DTD/entity declaration: it is refused, never expanded."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, what: str = "document") -> etree._Element:
    """Parse ``data``; raise :class:`HostileXmlError` naming ``what`` for a DOCTYPE or bad XML."""
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise HostileXmlError(f"{what} is not well-formed XML: {exc}") from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise HostileXmlError(f"{what} carries a DOCTYPE/DTD, which is refused")
    return root


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname
