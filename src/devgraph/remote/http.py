"""HTTP to a SPARQL server: authentication, timeouts, retries, and errors a person can read.

Queries are built by SPARQLWrapper (form-encoded POST, the protocol's dataset
parameters, basic auth); updates and Graph Store Protocol requests are plain urllib.
Both go through one urllib opener of our own (never ``install_opener``: a digest handler
installed globally would answer for every other ``urlopen`` in the process), and both
get the same treatment:

- connection errors (refused, reset, DNS) are retried with exponential backoff, because
  a server restarting behind a load balancer refuses for a moment; an HTTP error status
  is never retried (the server answered: retrying would repeat a refused update);
- a timeout raises :class:`RemoteTimeout`;
- a refusal raises :class:`RemoteError` with the status and the first lines of the
  server's own message (HTML tags stripped: Virtuoso answers errors with a page).
"""

from __future__ import annotations

import base64
import re
import socket
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlencode

from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.Wrapper import QueryResult as SWResult

from devgraph.remote.config import RemoteConfig
from devgraph.store import QueryError, StoreError

USER_AGENT = "devgraph (SPARQL 1.1 client)"


class RemoteError(StoreError):
    """The server refused a request or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RemoteTimeout(RemoteError):
    """The server did not answer within the timeout."""


class ResponseTooLarge(RemoteError):
    """A response grew past the byte cap the caller set."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def media(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def server_message(body: bytes, limit: int = 600) -> str:
    """The readable part of an error body: tags dropped, whitespace folded, cut short."""
    text = body.decode("utf-8", "replace")
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit] + ("…" if len(text) > limit else "")


class _Query(SPARQLWrapper):
    """SPARQLWrapper whose requests go through our opener and raise our errors."""

    def __init__(self, transport: Transport, url: str) -> None:
        super().__init__(url, agent=USER_AGENT)
        self._transport = transport
        self.call_timeout: float | None = None

    def isSparqlUpdateRequest(self) -> bool:  # noqa: N802 - SPARQLWrapper's name
        """Always a query: its regex takes a query mentioning ``INSERT`` for an update."""
        return False

    def _query(self) -> tuple[Any, str]:  # type: ignore[override]
        request = self._createRequest()
        return self._transport.open(request, self.call_timeout, query=True), self.returnFormat


class Transport:
    """One server's HTTP client: the opener, credentials and retry policy."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        handlers: list[urllib.request.BaseHandler] = []
        if config.user is not None and config.auth == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (config.query_url, config.update_url, config.gsp_url):
                if url:
                    manager.add_password(None, url, config.user, config.password or "")
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        self._opener = urllib.request.build_opener(*handlers)
        self._headers: dict[str, str] = {"User-Agent": USER_AGENT}
        if config.token:
            self._headers["Authorization"] = f"Bearer {config.token}"
        elif config.user is not None and config.auth == "basic":
            pair = f"{config.user}:{config.password or ''}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()

    def open(
        self, request: urllib.request.Request, timeout: float | None, *, query: bool = False
    ) -> Any:
        """Send ``request``, retrying connection errors; return the open response.

        ``query``: the request changes nothing, so any connection error is retried and
        a 400 is the query's fault; writes are retried only when never sent.
        """
        for name, value in self._headers.items():
            if not request.has_header(name.capitalize()):
                request.add_header(name, value)
        attempts = self.config.retries + 1
        wait = 0.2
        for attempt in range(attempts):
            try:
                return self._opener.open(request, timeout=timeout or self.config.timeout)
            except urllib.error.HTTPError as exc:
                body = exc.read() if exc.fp is not None else b""
                raise _refusal(request, exc.code, body, query) from None
            except TimeoutError as exc:
                raise RemoteTimeout(
                    f"{request.full_url}: no answer within {timeout or self.config.timeout:g} s"
                ) from exc
            except (urllib.error.URLError, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    raise RemoteTimeout(f"{request.full_url}: timed out") from exc
                if not (query or _not_sent(reason)):
                    raise RemoteError(
                        f"the connection to {request.full_url} broke during a write "
                        f"({reason}); not retried, since the server may have applied it"
                    ) from exc
                if attempt == attempts - 1:
                    raise RemoteError(
                        f"cannot reach the SPARQL server at {request.full_url} "
                        f"after {attempts} attempt(s): {reason}"
                    ) from exc
                time.sleep(wait)
                wait *= 2
        raise AssertionError("unreachable")

    def request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        content_type: str | None = None,
        params: Sequence[tuple[str, str]] = (),
        accept: str | None = None,
        timeout: float | None = None,
    ) -> Response:
        """One plain HTTP request (updates, Graph Store Protocol); the whole body is read."""
        full = url + (("&" if "?" in url else "?") + urlencode(params) if params else "")
        request = urllib.request.Request(full, data=data, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if accept:
            request.add_header("Accept", accept)
        with self.open(request, timeout) as response:
            return Response(response.status, response.headers, response.read())

    def query(
        self,
        text: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        accept: str,
        timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """Send a query (form-encoded POST: Virtuoso hangs on a direct POST body).

        ``max_bytes`` stops reading a response that grows past it
        (:class:`ResponseTooLarge`), so a runaway result cannot fill memory.
        """
        sw = _Query(self, self.config.query_url)
        sw.setMethod(POST)
        sw.setRequestMethod(URLENCODED)
        sw.setOnlyConneg(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # it warns on query forms its regex does not know
            sw.setQuery(text)
        for name, value in params:
            sw.addParameter(name, value)
        sw.addCustomHttpHeader("Accept", accept)
        sw.call_timeout = timeout
        result: SWResult = sw.query()
        with result.response as response:
            if max_bytes is None:
                body = response.read()
            else:
                body = response.read(max_bytes + 1)
                if len(body) > max_bytes:
                    raise ResponseTooLarge(
                        f"the server's answer is larger than {max_bytes} bytes: "
                        "add a LIMIT or ask for fewer variables"
                    )
            return Response(response.status, response.headers, body)


def _not_sent(reason: object) -> bool:
    """Whether the request certainly never reached the server (safe to send again).

    A refused connection or an unknown host is; a reset or a dropped connection is not:
    a write may have been applied, and repeating the loader's closing update
    (``DROP <g> ; MOVE <staging> TO <g>``) after it succeeded would empty ``<g>``.
    Queries change nothing and are retried on any connection error.
    """
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def _refusal(request: urllib.request.Request, status: int, body: bytes, query: bool) -> RemoteError:
    message = server_message(body) or "(no message)"
    where = request.full_url.split("?")[0]
    if status == 400 and query:
        return QueryErrorFromServer(
            f"the server refused the query (SPARQL syntax or evaluation error): {message}", status
        )
    if status in (401, 403):
        return RemoteError(
            f"{where} refused the credentials ({status}): set DEVGRAPH_STORE_USER/"
            f"_PASSWORD or DEVGRAPH_STORE_TOKEN. Server said: {message}",
            status,
        )
    return RemoteError(f"{where} answered {status}: {message}", status)


class QueryErrorFromServer(RemoteError, QueryError):
    """A 400 to a query: the query text is at fault, as with :class:`QueryError`."""


def form(fields: Mapping[str, str] | Sequence[tuple[str, str]]) -> bytes:
    return urlencode(list(fields.items()) if isinstance(fields, Mapping) else fields).encode()
