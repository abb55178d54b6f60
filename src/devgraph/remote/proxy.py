"""The SPARQL endpoint's executor when the store is a remote server: a limiting proxy.

There is no local store for worker processes to open, and none is needed to stop a
runaway query: the request to the server simply times out. Each query goes to the
server with the endpoint's own limits —

- the timeout as the HTTP read timeout, and as the server's own parameter where it has
  one (Virtuoso's ``timeout``; Oxigraph server's is its ``--timeout-s`` option), so the
  server stops evaluating too;
- the byte cap while reading the server's answer (a bigger answer is refused, never
  buffered whole), then the row and byte caps of the embedded endpoint on what is sent
  on, through :func:`devgraph.executor.finish`, so results look the same.
"""

from __future__ import annotations

import time
from dataclasses import replace

from devgraph.executor import (
    Limits,
    Outcome,
    QueryJob,
    error_outcome,
    finish,
    timeout_outcome,
)
from devgraph.remote.http import RemoteTimeout, ResponseTooLarge
from devgraph.remote.store import RemoteStore
from devgraph.store import QueryError, StoreError

DOWNLOAD_FACTOR = 4
"""SPARQL JSON from the server is bulkier than what we send on: allow this many times
``max_bytes`` of it before refusing the answer."""


class RemoteExecutor:
    """Runs the endpoint's queries on the remote server under the endpoint's limits."""

    mode = "remote"

    def __init__(self, store: RemoteStore, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._store = store

    def run(self, job: QueryJob) -> Outcome:
        limits = job.limits or self.limits
        start = time.monotonic()
        dataset = job.default_graphs is not None or job.named_graphs is not None
        try:
            result = self._store.query(
                job.text,
                union_default_graph=limits.union_default_graph,
                default_graphs=(job.default_graphs or ()) if dataset else None,
                named_graphs=(job.named_graphs or ()) if dataset else None,
                base_iri=job.base_iri,
                timeout=limits.timeout,
                max_bytes=limits.max_bytes * DOWNLOAD_FACTOR,
            )
        except RemoteTimeout:
            return timeout_outcome(limits.timeout, "the SPARQL server did not answer in time")
        except ResponseTooLarge as exc:
            return error_outcome(413, str(exc))
        except QueryError as exc:
            return error_outcome(400, str(exc))
        except StoreError as exc:
            return error_outcome(502, f"the SPARQL server failed: {exc}")
        outcome = finish(result, job, limits, start + limits.timeout, start)
        return replace(outcome, seconds=time.monotonic() - start)

    def refresh(self) -> None:
        """Nothing to do: every query reads the server's current state."""

    def close(self) -> None:
        """Nothing to release: requests hold no connection between queries."""
