"""Where a remote SPARQL 1.1 store lives and how to reach it, from a URL plus environment.

One URL is enough for the common servers: ``DEVGRAPH_STORE=http://host:7878`` (a bare
server root, dialect ``auto`` or ``oxigraph``) is read as an Oxigraph server (``/query``,
``/update``, ``/store``);
any other URL is the query endpoint, and updates go to the same URL unless
``DEVGRAPH_STORE_UPDATE`` says otherwise (Virtuoso's ``/sparql`` and Fuseki's dataset URL
take both). Servers that split their endpoints get the others from the environment, so
no password or token ever has to appear on a command line:

- ``DEVGRAPH_STORE_UPDATE``: the SPARQL 1.1 Update endpoint;
- ``DEVGRAPH_STORE_GSP``: the Graph Store Protocol endpoint (chunked loads POST there;
  without one, loads are sent as ``INSERT DATA`` through the update endpoint);
- ``DEVGRAPH_STORE_DIALECT``: ``oxigraph``, ``virtuoso`` or ``generic`` (default: asked
  of the server's ``Server`` header on first contact);
- ``DEVGRAPH_STORE_USER`` / ``DEVGRAPH_STORE_PASSWORD`` (or ``user:password@`` in the
  URL), ``DEVGRAPH_STORE_AUTH`` = ``basic`` (default) or ``digest``;
  ``DEVGRAPH_STORE_TOKEN`` for ``Authorization: Bearer``;
- ``DEVGRAPH_STORE_TIMEOUT`` (seconds per request, default 60),
  ``DEVGRAPH_STORE_RETRIES`` (connection retries, default 3),
  ``DEVGRAPH_STORE_CHUNK`` (triples per load request, default 50 000).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit, urlunsplit

from devgraph.store import StoreError

DIALECTS = ("auto", "oxigraph", "virtuoso", "generic")


@dataclass(frozen=True)
class RemoteConfig:
    """Endpoints, credentials and limits of one remote store."""

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    dialect: str = "auto"
    user: str | None = None
    password: str | None = None
    auth: str = "basic"
    token: str | None = None
    timeout: float = 60.0
    retries: int = 3
    chunk: int = 50_000

    def __post_init__(self) -> None:
        if self.dialect not in DIALECTS:
            raise StoreError(f"unknown store dialect {self.dialect!r} (known: {DIALECTS})")
        if self.auth not in ("basic", "digest"):
            raise StoreError(f"unknown HTTP auth {self.auth!r} (basic or digest)")
        if self.chunk < 1 or self.retries < 0 or self.timeout <= 0:
            raise StoreError("chunk and timeout must be positive, retries not negative")


def _strip_userinfo(url: str) -> tuple[str, str | None, str | None]:
    parts = urlsplit(url)
    if parts.username is None:
        return url, None, None
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    password = unquote(parts.password) if parts.password is not None else None
    return clean, unquote(parts.username), password


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        raise StoreError(f"{name} must be a number, not {text!r}") from None


def config_from_url(url: str, env: Mapping[str, str] | None = None) -> RemoteConfig:
    """Build the configuration of ``url`` completed by ``DEVGRAPH_STORE_*`` variables."""
    env = os.environ if env is None else env
    clean, user, password = _strip_userinfo(url)
    parts = urlsplit(clean)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"not an http(s) store URL: {url!r}")
    dialect = env.get("DEVGRAPH_STORE_DIALECT") or "auto"
    update = env.get("DEVGRAPH_STORE_UPDATE") or None
    gsp = env.get("DEVGRAPH_STORE_GSP") or None
    query = clean
    if parts.path in ("", "/") and not parts.query and dialect in ("auto", "oxigraph"):
        root = clean.rstrip("/")
        query, update, gsp = f"{root}/query", update or f"{root}/update", gsp or f"{root}/store"
        dialect = dialect if dialect != "auto" else "oxigraph"
    return RemoteConfig(
        query_url=query,
        update_url=update or query,
        gsp_url=gsp,
        dialect=dialect,
        user=user or env.get("DEVGRAPH_STORE_USER") or None,
        password=password if password is not None else env.get("DEVGRAPH_STORE_PASSWORD"),
        auth=env.get("DEVGRAPH_STORE_AUTH") or "basic",
        token=env.get("DEVGRAPH_STORE_TOKEN") or None,
        timeout=_number(env, "DEVGRAPH_STORE_TIMEOUT", 60.0),
        retries=int(_number(env, "DEVGRAPH_STORE_RETRIES", 3)),
        chunk=int(_number(env, "DEVGRAPH_STORE_CHUNK", 50_000)),
    )


def with_overrides(config: RemoteConfig, **changes: object) -> RemoteConfig:
    """A copy with some fields changed (tests and the benchmark tune chunk and dialect)."""
    return replace(config, **changes)  # type: ignore[arg-type]
