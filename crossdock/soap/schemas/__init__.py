"""crossdock's own minimal stand-ins for the few W3C/SOAP schemas that WSDLs name by a well-known remote
location: SOAP 1.1 and 1.2 encoding (every rpc/encoded WSDL), the WSDL namespace's attributes, the XML
namespace, XML media types.

Loading a WSDL never fetches them: the transport answers these locations with the files here, and the
WSDL outline does not count them as remote imports. Any other remote location is refused.
"""

from __future__ import annotations

from importlib import resources
from urllib.parse import urlparse

_FILES = {
    "schemas.xmlsoap.org/soap/encoding": "soap-encoding.xsd",
    "www.w3.org/2003/05/soap-encoding": "soap12-encoding.xsd",
    "www.w3.org/2001/xml.xsd": "xml.xsd",
    "www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "www.w3.org/xml/1998/namespace": "xml.xsd",
    "www.w3.org/2005/05/xmlmime": "xmlmime.xsd",
    "www.w3.org/2005/05/xmlmime.xsd": "xmlmime.xsd",
    "schemas.xmlsoap.org/wsdl": "wsdl.xsd",
}


def _key(location: str) -> str | None:
    parsed = urlparse(location.strip())
    if parsed.scheme not in ("http", "https") or parsed.query or parsed.fragment:
        return None
    return f"{parsed.netloc.lower()}{parsed.path.rstrip('/').lower()}"


def is_well_known(location: str) -> bool:
    """Whether ``location`` names one of the schemas crossdock carries (http or https, with or without
    a trailing slash)."""
    return _key(location) in _FILES


def read_well_known(location: str) -> bytes | None:
    """The bytes crossdock serves for ``location``, or ``None`` when it is not a well-known schema."""
    name = _FILES.get(_key(location) or "")
    return resources.files(__name__).joinpath(name).read_bytes() if name else None


__all__ = ["is_well_known", "read_well_known"]
