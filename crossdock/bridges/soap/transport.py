"""The zeep transport crossdock uses: connect and read timeouts on every call, a deadline for the whole
call and a cap on the decoded response (:mod:`crossdock.bridges.soap.limits`), optional HTTP Basic, no
envelope logging (they carry WS-Security passwords and customer PII), and no remote fetches while
loading a WSDL unless the caller allows exactly one origin. It is the one gate for what a WSDL load
reads: the few well-known W3C/SOAP schemas come from crossdock's package, every other remote location
is refused with :class:`RemoteFetchRefusedError` naming it, and local files are read only inside the
folder of the WSDL being loaded or a folder the caller allows (:class:`LocalFileRefusedError`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import requests
from zeep.transports import Transport

from crossdock.bridges.soap.limits import CallDeadlineError, ResponseTooLargeError, WatchedAdapter, read_capped
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


class LocalFileRefusedError(ConfigError):
    """A WSDL or schema import names a local file outside the folders a WSDL load may read."""

    def __init__(self, path: str, roots: Iterable[str]) -> None:
        allowed = ", ".join(roots) or "none"
        super().__init__(
            f"the WSDL needs the local file {path}, outside the folders a WSDL may read from ({allowed}): "
            "copy it next to the WSDL, or allow its folder explicitly (schema_dirs)"
        )
        self.path = path


MAX_LOCAL_BYTES = 32 * 1024 * 1024  # far above any real WSDL or XSD (NetSuite's largest XSD is under 1 MiB)
MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # an ERP answer, decoded (gzip included)
CALL_DEADLINE_S = 60.0  # connect + send + headers + body of one ERP call


def read_local(path: str) -> bytes:
    """A WSDL or schema file, read only when it is a regular file of sane size: an import naming
    ``/dev/zero``, a FIFO or a directory is a ``ConfigError`` instead of a hang or a memory blow-up."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path} is not a regular file, and WSDLs and schemas are read only from files")
    if info.st_size > MAX_LOCAL_BYTES:
        raise ConfigError(f"{path} has {info.st_size} bytes, more than the {MAX_LOCAL_BYTES} a WSDL or schema may have")
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_LOCAL_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _origin(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    return parsed.scheme, parsed.netloc


def _real_folder(path: Path | str) -> str:
    return os.path.realpath(os.fspath(path))


class HardenedTransport(Transport):
    """``allowed_origin``: the one ``scheme://host:port`` WSDL loading may fetch from (the ERP's own
    ``?wsdl`` URL); ``None`` means local files only. ``local_roots``: folders whose files a WSDL load
    may read besides the WSDL's own folder (which :func:`crossdock.bridges.soap.factory.load_wsdl` adds
    with :meth:`confine_to`). ``max_response_bytes`` and ``call_deadline`` bound each operation call."""

    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        basic_auth: tuple[str, str] | None = None,
        allowed_origin: str | None = None,
        local_roots: Iterable[Path | str] = (),
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        call_deadline: float = CALL_DEADLINE_S,
    ) -> None:
        session = requests.Session()
        self._adapter = WatchedAdapter()
        session.mount("http://", self._adapter)
        session.mount("https://", self._adapter)
        session.auth = basic_auth
        # Secure by default: no credentials from the operator's ~/.netrc, no proxies from *_PROXY, and no
        # redirects (a redirected POST would carry the envelope and its WS-Security token elsewhere).
        session.trust_env = False
        session.max_redirects = 0
        super().__init__(timeout=read_timeout, operation_timeout=(connect_timeout, read_timeout), session=session)
        self.load_timeout = (connect_timeout, read_timeout)
        self._allowed = _origin(allowed_origin) if allowed_origin else None
        self.local_roots = [_real_folder(root) for root in local_roots]
        self.max_response_bytes = max_response_bytes
        self.call_deadline = call_deadline

    def confine_to(self, wsdl: Path | str) -> None:
        """Let local loads read the folder of ``wsdl`` (a local path or ``file:`` URL; a URL adds nothing)."""
        parsed = urlparse(str(wsdl))
        if parsed.scheme in REMOTE_SCHEMES:
            return
        path = url2pathname(parsed.path) if parsed.scheme == "file" else str(wsdl)
        folder = os.path.dirname(_real_folder(path))
        if folder not in self.local_roots:
            self.local_roots.append(folder)

    def _read_confined(self, path: str) -> bytes:
        real = os.path.realpath(path)  # symlinks resolved: a link out of the folder is refused too
        if not any(os.path.commonpath([root, real]) == root for root in self.local_roots):
            raise LocalFileRefusedError(path, self.local_roots)
        return read_local(real)

    def load(self, url: str) -> bytes:
        known = read_well_known(url)  # SOAP encoding, xml.xsd ...: crossdock's own copies, never fetched
        if known is not None:
            return known
        parsed = urlparse(url)
        if parsed.scheme in REMOTE_SCHEMES:
            if _origin(url) != self._allowed:
                raise RemoteFetchRefusedError(url)
            content: bytes = super().load(url)
            return content
        if parsed.scheme == "file":
            return self._read_confined(url2pathname(parsed.path))
        if len(parsed.scheme) > 1:  # jar:, data:, gopher: ... (a one-letter scheme is a Windows drive)
            raise ConfigError(f"the WSDL names {url!r}, and crossdock reads only local files and http(s)")
        return self._read_confined(url)

    def _load_remote_data(self, url: str) -> bytes:
        """A WSDL or schema from the allowed origin, streamed: at most MAX_LOCAL_BYTES and the read timeout
        for the whole fetch, headers included (zeep's own reads the whole body, so an endless or dripping
        answer never ended). A redirect is refused before its body is read."""
        seconds = self.load_timeout[1]
        late = ConfigError(f"{url} did not finish sending within {seconds:g} s")
        with self._adapter.watch(seconds) as watch:
            try:
                response = self.session.get(url, timeout=self.load_timeout, stream=True, allow_redirects=False)
                with closing(response):
                    if response.is_redirect:
                        raise requests.TooManyRedirects(f"{url} redirects elsewhere", response=response)
                    response.raise_for_status()
                    body = read_capped(response, MAX_LOCAL_BYTES, watch)
            except ResponseTooLargeError as exc:
                too_large = f"{url} sent more than {MAX_LOCAL_BYTES} bytes, more than a WSDL or schema has"
                raise ConfigError(too_large) from exc
            except CallDeadlineError as exc:
                raise late from exc
            except (requests.RequestException, OSError) as exc:
                if watch.expired and not isinstance(exc, requests.TooManyRedirects):
                    raise late from exc
                raise
            if watch.expired:  # the sockets were shut: what was read may end early
                raise late
        return body

    def post(self, address: str, message: Any, headers: dict[str, str]) -> requests.Response:
        """One operation call, bounded: socket timeouts on each wait, ``call_deadline`` on the whole call,
        ``max_response_bytes`` on the decoded answer. zeep's own post logs whole envelopes at DEBUG and
        reads answers whole; this one does neither. Redirects are not followed (a redirected POST would
        carry the envelope and its WS-Security token elsewhere), and their body is not read."""
        with self._adapter.watch(self.call_deadline) as watch:
            try:
                response = self.session.post(
                    address,
                    data=message,
                    headers=headers,
                    timeout=self.operation_timeout,
                    stream=True,
                    allow_redirects=False,
                )
                with closing(response):
                    if response.is_redirect:
                        raise requests.TooManyRedirects("the ERP answered with a redirect", response=response)
                    response._content = read_capped(response, self.max_response_bytes, watch)
                    response._content_consumed = True  # read whole: closing returns the connection to the pool
                if watch.expired:  # the sockets were shut: what was read may end early (headers cut short)
                    raise CallDeadlineError(self.call_deadline)
            except (requests.RequestException, OSError) as exc:
                if watch.expired and not isinstance(exc, requests.TooManyRedirects):
                    raise CallDeadlineError(self.call_deadline) from exc
                raise
        return response

    def close(self) -> None:
        self.session.close()
