"""The zeep transport crossdock uses: connect and read timeouts on every call, optional HTTP Basic,
no envelope logging (they carry WS-Security passwords and customer PII), and no remote fetches while
loading a WSDL unless the caller allows exactly one origin. It is the one gate for what a WSDL load
reads: the few well-known W3C/SOAP schemas come from crossdock's package, every other remote location
is refused with :class:`RemoteFetchRefusedError` naming it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import requests
from zeep.transports import Transport

from crossdock.errors import ConfigError
from crossdock.soap.schemas import read_well_known

REMOTE_SCHEMES = ("http", "https", "ftp")


class RemoteFetchRefusedError(ConfigError):
    """A WSDL or schema import points at a remote host, and crossdock loads WSDLs offline."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"the WSDL needs the remote resource {url}, which crossdock will not fetch: save it next to the WSDL "
            "and point the import/include schemaLocation at the local copy"
        )
        self.url = url


def _origin(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    return parsed.scheme, parsed.netloc


class HardenedTransport(Transport):
    """``allowed_origin``: the one ``scheme://host:port`` WSDL loading may fetch from (the ERP's own
    ``?wsdl`` URL); ``None`` means local files only."""

    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        basic_auth: tuple[str, str] | None = None,
        allowed_origin: str | None = None,
    ) -> None:
        session = requests.Session()
        session.auth = basic_auth
        # Secure by default: no credentials from the operator's ~/.netrc, no proxies from *_PROXY, and no
        # redirects (a redirected POST would carry the envelope and its WS-Security token elsewhere).
        session.trust_env = False
        session.max_redirects = 0
        super().__init__(timeout=read_timeout, operation_timeout=(connect_timeout, read_timeout), session=session)
        self.load_timeout = (connect_timeout, read_timeout)
        self._allowed = _origin(allowed_origin) if allowed_origin else None

    def load(self, url: str) -> bytes:
        known = read_well_known(url)  # SOAP encoding, xml.xsd ...: crossdock's own copies, never fetched
        if known is not None:
            return known
        if urlparse(url).scheme in REMOTE_SCHEMES and _origin(url) != self._allowed:
            raise RemoteFetchRefusedError(url)
        content: bytes = super().load(url)
        return content

    def post(self, address: str, message: Any, headers: dict[str, str]) -> requests.Response:
        # zeep's own post logs whole envelopes at DEBUG; this one never does.
        return self.session.post(address, data=message, headers=headers, timeout=self.operation_timeout)

    def close(self) -> None:
        self.session.close()
