"""Run SPARQL queries under limits that hold: a timeout that frees the CPU, row and byte caps.

pyoxigraph has no cancellation API: once ``Store.query`` is evaluating an aggregate, a
cartesian product or a ``*`` path, nothing inside the process can stop it. So queries
on an on-disk store run in a pool of worker processes (:class:`ProcessExecutor`), each
holding its own read-only handle on the store; a query that overruns its deadline has
its worker SIGKILLed and replaced, and the caller gets a timeout outcome at once (see
``../shared/recipes/endpoint-timeouts.md`` for what was measured).

An in-memory store cannot be seen from another process, so it gets a
:class:`ThreadExecutor` with the same interface: it runs the query in the caller's
thread, enforces the row and byte caps, and checks the deadline only between result
chunks, which stops streaming queries but not an aggregate. Tests and ``:memory:`` use
it; a real deployment (a store directory) never does.

This module is library code: no Flask. The web layer builds a :class:`QueryJob` from
the request and turns the :class:`Outcome` into a response. The process pool itself
lives in :mod:`devgraph.workers`; :class:`ProcessExecutor` is importable from here too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from devgraph import results
from devgraph.store import EmbeddedStore, GraphStore, StoreError, has_dataset_clause

if TYPE_CHECKING:
    from devgraph.workers import ProcessExecutor

__all__ = [
    "TIMEOUT_STATUS",
    "Executor",
    "Limits",
    "Outcome",
    "ProcessExecutor",
    "QueryJob",
    "ThreadExecutor",
    "create_executor",
    "dataset_kwargs",
    "error_outcome",
    "evaluate",
    "finish",
    "has_dataset_clause",
    "timeout_outcome",
]

log = logging.getLogger(__name__)

TIMEOUT_STATUS = 503
"""Status of a query stopped at its deadline (as Fuseki does); the body says so."""


@dataclass(frozen=True)
class Limits:
    """What one query may use. The web layer fills these from the app config."""

    timeout: float = 10.0
    max_rows: int = 100_000
    max_bytes: int = 100_000_000
    union_default_graph: bool = True


@dataclass(frozen=True)
class QueryJob:
    """One query and everything needed to run and serialise it in another process.

    ``formats`` maps each result kind (``solutions``, ``boolean``, ``graph``) to the
    format name to write, or to ``(status, message)`` when the client cannot take that
    kind (406 from ``Accept``, 400 from ``format=``): the kind is only known once the
    query is parsed, which happens in the worker.

    ``default_graphs``/``named_graphs`` are the protocol's ``default-graph-uri`` and
    ``named-graph-uri``; when either is given they replace the query's own dataset
    (FROM / FROM NAMED) entirely, as SPARQL 1.1 Protocol §2.1.4 requires.
    """

    text: str
    formats: Mapping[str, str | tuple[int, str]] = field(
        default_factory=lambda: {"solutions": "json", "boolean": "json", "graph": "ttl"}
    )
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    limits: Limits | None = None
    """None: the executor's own limits."""


@dataclass(frozen=True)
class Outcome:
    """What came back: an HTTP-like status, the body and its media type."""

    status: int
    body: bytes
    media: str = "text/plain; charset=utf-8"
    count: int | None = None
    truncated: bool = False
    reason: str = ""
    limit: int = 0
    seconds: float = 0.0
    worker_pid: int | None = None
    """The worker process that ran (or was killed for) the query; None in-thread."""

    @property
    def timed_out(self) -> bool:
        return self.status == TIMEOUT_STATUS


def error_outcome(status: int, message: str) -> Outcome:
    """A plain-text outcome for a refused or failed query (its message on one line)."""
    return Outcome(status, (message.rstrip() + "\n").encode())


def timeout_outcome(seconds: float, detail: str = "") -> Outcome:
    extra = f" ({detail})" if detail else ""
    return error_outcome(
        TIMEOUT_STATUS,
        f"query timed out after {seconds:g} s{extra}: narrow it, add a LIMIT, "
        "or ask for a longer timeout= (up to the server's maximum)",
    )


def dataset_kwargs(job: QueryJob, union_default_graph: bool) -> dict[str, Any]:
    """pyoxigraph ``query`` arguments for the job's RDF dataset."""
    if job.default_graphs is not None or job.named_graphs is not None:
        return {
            "default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()],
        }
    if union_default_graph and not has_dataset_clause(job.text):
        return {"use_default_graph_as_union": True}
    return {}


def evaluate(store: Any, job: QueryJob, limits: Limits, deadline: float | None = None) -> Outcome:
    """Run ``job`` on a pyoxigraph ``Store`` (or anything with its ``query`` signature).

    Every client mistake becomes a 4xx outcome with pyoxigraph's message (which holds
    the line and column of a syntax error); only a failure of the store itself is 500.
    """
    start = time.monotonic()
    try:
        result = store.query(
            job.text, base_iri=job.base_iri, **dataset_kwargs(job, limits.union_default_graph)
        )
    except SyntaxError as exc:
        return error_outcome(400, f"SPARQL syntax error: {exc}")
    except (RuntimeError, ValueError) as exc:
        if "not supported" in str(exc):  # e.g. an unknown extension function
            return error_outcome(501, f"not implemented by this endpoint: {exc}")
        return error_outcome(400, f"query error: {exc}")
    except OSError as exc:
        return error_outcome(500, f"store error: {exc}")
    return finish(result, job, limits, deadline, start)


def finish(
    result: Any, job: QueryJob, limits: Limits, deadline: float | None, start: float
) -> Outcome:
    """Serialise a result in the job's format under the row and byte caps."""
    choice = job.formats.get(results.kind(result), (406, "no acceptable format"))
    if isinstance(choice, tuple):
        return error_outcome(*choice)
    try:
        capped = results.serialize_capped(
            result,
            choice,
            max_rows=limits.max_rows,
            max_bytes=limits.max_bytes,
            deadline=deadline,
        )
    except results.ResultDeadline:
        return timeout_outcome(limits.timeout, "stopped between result chunks")
    except StoreError as exc:
        return error_outcome(400, str(exc))
    except (RuntimeError, ValueError, SyntaxError) as exc:
        return error_outcome(400, f"query evaluation error: {exc}")
    except OSError as exc:
        return error_outcome(500, f"store error while reading results: {exc}")
    return Outcome(
        200,
        capped.body,
        capped.media,
        count=capped.count,
        truncated=capped.truncated,
        reason=capped.reason,
        limit=capped.limit,
        seconds=time.monotonic() - start,
    )


class Executor(Protocol):
    """What the web layer needs: :class:`ThreadExecutor` and ``ProcessExecutor`` provide it."""

    limits: Limits
    mode: str
    """``process`` (timeouts kill the query) or ``thread`` (caps only)."""

    def run(self, job: QueryJob) -> Outcome: ...

    def refresh(self) -> None: ...

    def close(self) -> None: ...


class ThreadExecutor:
    """Runs queries in the caller's thread: for stores no other process can open.

    The deadline is checked between result chunks only, so a streaming SELECT stops
    on time but an aggregate, a sort or a cartesian product runs to its end.
    """

    mode = "thread"

    def __init__(self, store: GraphStore | ox.Store, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._store = _raw_store(store)

    def run(self, job: QueryJob) -> Outcome:
        limits = job.limits or self.limits
        start = time.monotonic()
        outcome = evaluate(self._store, job, limits, deadline=start + limits.timeout)
        return replace(outcome, seconds=time.monotonic() - start)

    def refresh(self) -> None:
        """Nothing to do: the caller's store is queried directly and always current."""

    def close(self) -> None:
        """Nothing to release: the store belongs to the caller."""


class _GraphStoreAdapter:
    """Gives a :class:`GraphStore` pyoxigraph's ``query`` signature (no base IRI)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def query(self, text: str, *, base_iri: str | None = None, **kwargs: Any) -> Any:
        return self._store.query(
            text,
            union_default_graph=bool(kwargs.get("use_default_graph_as_union")),
            default_graphs=[g.value for g in kwargs["default_graph"]]
            if "default_graph" in kwargs
            else None,
            named_graphs=[g.value for g in kwargs["named_graphs"]]
            if "named_graphs" in kwargs
            else None,
        )


def _raw_store(store: GraphStore | ox.Store) -> Any:
    """The pyoxigraph store behind an embedded store (for base IRIs), else an adapter."""
    if isinstance(store, ox.Store):
        return store
    if isinstance(store, EmbeddedStore):
        return store._store  # noqa: SLF001 - same package; GraphStore.query has no base IRI
    return _GraphStoreAdapter(store)


def __getattr__(name: str) -> Any:
    """``ProcessExecutor`` on first use: :mod:`devgraph.workers` imports this module."""
    if name == "ProcessExecutor":
        from devgraph.workers import ProcessExecutor

        return ProcessExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def create_executor(
    store: GraphStore | str | Path, limits: Limits | None = None, workers: int = 4
) -> Executor:
    """A process pool for an on-disk store; a proxy for a remote one; else in-thread."""
    from devgraph.remote import RemoteStore
    from devgraph.remote.proxy import RemoteExecutor
    from devgraph.workers import ProcessExecutor

    if isinstance(store, RemoteStore):
        return RemoteExecutor(store, limits)
    if isinstance(store, str | Path):
        return ProcessExecutor(store, limits, workers)
    path = getattr(store, "path", None)
    if isinstance(store, EmbeddedStore) and path is not None and workers > 0:
        store.flush()  # workers open SST files, not a long write-ahead log
        return ProcessExecutor(path, limits, workers, flush=store.flush)
    log.warning(
        "queries run in the request thread (%s): the row and byte caps hold, but the "
        "timeout is only checked between result chunks and cannot stop an aggregate",
        "in-memory store" if path is None else "QUERY_WORKERS=0",
    )
    return ThreadExecutor(store, limits)
