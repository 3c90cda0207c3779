"""Access tokens for marketplace calls: a static token, or one fetched and refreshed before it expires.

* :class:`StaticToken`: a long-lived token (a Shopify Admin API token of a custom app).
* :class:`LwaToken`: Login with Amazon, the SP-API's OAuth: ``POST {token_url}`` form
  ``grant_type=refresh_token&refresh_token=…&client_id=…&client_secret=…`` → ``access_token`` valid for
  ``expires_in`` seconds (an hour).
* :class:`WalmartToken`: Walmart Marketplace's client credentials: ``POST {token_url}`` with HTTP Basic
  ``client_id:client_secret``, ``WM_SVC.NAME`` and ``WM_QOS.CORRELATION_ID`` headers and form
  ``grant_type=client_credentials`` → ``access_token`` valid for ``expires_in`` seconds (15 minutes).

A fetched token is cached, shared by the threads of a process, and fetched again shortly before it
expires (a tenth of its lifetime, at most a minute early) or when a call says it was refused
(:meth:`TokenSource.refused`: the client calls it on a 401, and on SP-API's 403 ``Unauthorized``).
Credentials the token endpoint refuses (400/401: ``invalid_client``, ``invalid_grant``) are a
:class:`~crossdock.errors.ConfigError` naming the channel, never the secret; a token endpoint that is
down is a :class:`~crossdock.errors.TransientError`. Token bodies are read with a size cap and no token
is ever logged.
"""

from __future__ import annotations

import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Protocol

import httpx

from crossdock.errors import ConfigError, TransientError

MAX_TOKEN_RESPONSE = 64 * 1024
"""A token response is a few hundred bytes: a larger one is refused, not read."""


class TokenSource(Protocol):
    def token(self) -> str:
        """A token to send now."""
        ...

    def refused(self, token: str) -> bool:
        """The marketplace refused ``token``: forget it. ``True`` when a new one may be fetched (a
        refreshable source), ``False`` when retrying cannot help (a static token)."""
        ...


class StaticToken:
    def __init__(self, value: str) -> None:
        self._value = value

    def token(self) -> str:
        return self._value

    def refused(self, token: str) -> bool:
        return False

    def __repr__(self) -> str:
        return "StaticToken(***)"


class _FetchedToken(ABC):
    """The cache and refresh logic; subclasses say how to ask the token endpoint."""

    channel = "marketplace"

    def __init__(
        self,
        token_url: str,
        *,
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
        self._transport = transport
        self._clock = clock
        self._lock = threading.Lock()
        self._value: str | None = None
        self._renew_at = 0.0
        self.fetches = 0

    def token(self) -> str:
        with self._lock:
            if self._value is None or self._clock() >= self._renew_at:
                self._value, lifetime = self._fetch()
                self.fetches += 1
                early = min(60.0, lifetime / 10)
                self._renew_at = self._clock() + max(0.0, lifetime - early)
            return self._value

    def refused(self, token: str) -> bool:
        with self._lock:
            if self._value == token:  # another thread may have renewed it already
                self._value = None
        return True

    @abstractmethod
    def _request(self) -> httpx.Request:
        """The token request (its body and headers carry the credentials)."""

    def _fetch(self) -> tuple[str, float]:
        where = f"{self.channel} token endpoint {self.token_url}"
        request = self._request()
        try:
            with httpx.Client(timeout=self._timeout, transport=self._transport, follow_redirects=False) as http:
                response = http.send(request, stream=True)
                try:
                    body = _read_capped(response, where)
                finally:
                    response.close()
        except httpx.TimeoutException as exc:
            raise TransientError(f"{where}: timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{where}: cannot reach it ({type(exc).__name__})") from exc
        if response.status_code in (400, 401, 403):
            raise ConfigError(f"{where} refused the credentials ({response.status_code}{_oauth_error(body)})")
        if response.status_code >= 300:
            raise TransientError(f"{where}: answered {response.status_code}")
        try:
            data = httpx.Response(200, content=body).json()
            value = data["access_token"]
            lifetime = float(data.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise TransientError(f"{where}: the answer has no access_token and expires_in") from exc
        if not isinstance(value, str) or not value or lifetime <= 0:
            raise TransientError(f"{where}: the answer has no usable access_token")
        return value, lifetime


class LwaToken(_FetchedToken):
    """Login with Amazon: an SP-API access token from a refresh token."""

    channel = "amazon"

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        *,
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(token_url, timeout_s=timeout_s, transport=transport, clock=clock)
        self._form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id,
                      "client_secret": client_secret}  # fmt: skip

    def _request(self) -> httpx.Request:
        return httpx.Request("POST", self.token_url, data=self._form, headers={"Accept": "application/json"})

    def __repr__(self) -> str:
        return f"LwaToken({self.token_url})"


class WalmartToken(_FetchedToken):
    """Walmart Marketplace: an access token from client credentials."""

    channel = "walmart"

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        service_name: str = "crossdock",
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(token_url, timeout_s=timeout_s, transport=transport, clock=clock)
        self._auth = httpx.BasicAuth(client_id, client_secret)
        self._service_name = service_name

    def _request(self) -> httpx.Request:
        headers = {"Accept": "application/json", "WM_SVC.NAME": self._service_name,
                   "WM_QOS.CORRELATION_ID": uuid.uuid4().hex}  # fmt: skip
        request = httpx.Request("POST", self.token_url, data={"grant_type": "client_credentials"}, headers=headers)
        return next(self._auth.auth_flow(request))

    def __repr__(self) -> str:
        return f"WalmartToken({self.token_url})"


def _read_capped(response: httpx.Response, where: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_TOKEN_RESPONSE:
            raise TransientError(f"{where}: the answer is larger than {MAX_TOKEN_RESPONSE} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _oauth_error(body: bytes) -> str:
    """``: invalid_client`` from an OAuth error body (the code only: descriptions may echo input)."""
    try:
        data = httpx.Response(200, content=body).json()
    except ValueError:
        return ""
    code = data.get("error") if isinstance(data, dict) else None
    return f": {code}" if isinstance(code, str) and code.replace("_", "").isalnum() and len(code) < 64 else ""
