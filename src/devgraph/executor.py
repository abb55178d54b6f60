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
the request and turns the :class:`Outcome` into a response.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from devgraph import results
from devgraph.store import EmbeddedStore, GraphStore, StoreError, has_dataset_clause

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


def _error(status: int, message: str) -> Outcome:
    return Outcome(status, (message.rstrip() + "\n").encode())


def timeout_outcome(seconds: float, detail: str = "") -> Outcome:
    extra = f" ({detail})" if detail else ""
    return _error(
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
        return _error(400, f"SPARQL syntax error: {exc}")
    except (RuntimeError, ValueError) as exc:
        if "not supported" in str(exc):  # e.g. an unknown extension function
            return _error(501, f"not implemented by this endpoint: {exc}")
        return _error(400, f"query error: {exc}")
    except OSError as exc:
        return _error(500, f"store error: {exc}")
    choice = job.formats.get(results.kind(result), (406, "no acceptable format"))
    if isinstance(choice, tuple):
        return _error(*choice)
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
        return _error(400, str(exc))
    except (RuntimeError, ValueError, SyntaxError) as exc:
        return _error(400, f"query evaluation error: {exc}")
    except OSError as exc:
        return _error(500, f"store error while reading results: {exc}")
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
    """What the web layer needs; both executors below provide it."""

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


# --- the worker process -------------------------------------------------------------


_STALE_FILES = ("No such file", "Corruption")
"""Errors a read-only RocksDB handle gives when the writer compacted files away under it."""


def _open_read_only(path: str, attempts: int = 20) -> ox.Store:
    """Open the store read-only, retrying while the writer's compaction races the open.

    Measured: opening while the server process flushes can fail with "Corruption: ...
    No such file ... .sst" because a file listed in the MANIFEST was just compacted away;
    a fresh attempt reads the new MANIFEST and succeeds.
    """
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(path)
        except (OSError, RuntimeError) as exc:
            if attempt == attempts - 1 or not any(m in str(exc) for m in _STALE_FILES):
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _stale(outcome: Outcome) -> bool:
    return outcome.status in (400, 500) and any(m.encode() in outcome.body for m in _STALE_FILES)


def _worker_main(conn: Connection, path: str) -> None:
    """Loop in a worker: open the store read-only, answer jobs until told to stop.

    A job arrives as ``(generation, job, limits)``; a newer generation than the one
    the store was opened at means the server wrote to the store, so it is reopened
    (a read-only RocksDB handle is a snapshot of the moment it was opened). A query
    that fails because the writer compacted a file away is retried once on a fresh
    handle.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent shuts us down
    store: ox.Store | None = None
    opened_at = -1
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        generation, job, limits = message
        try:
            if store is None or generation != opened_at:
                store = None
                store = _open_read_only(path)
                opened_at = generation
            outcome = evaluate(store, job, limits)
            if _stale(outcome):
                store = None
                store = _open_read_only(path)
                outcome = evaluate(store, job, limits)
        except Exception as exc:  # noqa: BLE001 - reported to the client, worker lives on
            outcome = _error(500, f"query worker failed: {type(exc).__name__}: {exc}")
        conn.send(replace(outcome, worker_pid=os.getpid()))


@dataclass
class _Worker:
    process: Any
    conn: Connection

    @property
    def pid(self) -> int:
        return int(self.process.pid)


class ProcessExecutor:
    """A pool of killable worker processes over an on-disk store.

    Workers start lazily on the first query (so an app that never queries spawns
    nothing), from a ``forkserver`` with pyoxigraph preloaded (a replacement is ready in
    tens of milliseconds), and stop at :meth:`close` or interpreter exit. A request
    takes an idle worker (waiting for one counts against its deadline), sends the job
    and polls the pipe until the deadline; past it, the worker is SIGKILLed, reaped and
    replaced in the background, so the CPU it used is freed at once.
    """

    mode = "process"

    def __init__(
        self,
        path: str | Path,
        limits: Limits | None = None,
        workers: int = 4,
        flush: Callable[[], None] | None = None,
    ) -> None:
        """``flush`` persists the writer's memtable; :meth:`refresh` calls it first."""
        if workers < 1:
            raise ValueError("a process pool needs at least one worker")
        self.path = str(path)
        self.limits = limits or Limits()
        self.size = workers
        self.generation = 0
        self._flush = flush
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["pyoxigraph", "devgraph.executor"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    def __repr__(self) -> str:
        return f"ProcessExecutor({self.path!r}, workers={self.size})"

    def worker_pids(self) -> list[int]:
        """PIDs of the live workers (for tests and diagnostics)."""
        with self._lock:
            return sorted(self._workers)

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_worker_main, args=(child, self.path), name="devgraph-query", daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _add_worker(self) -> None:
        worker = self._spawn()
        with self._lock:
            if self._closed:
                self._stop(worker, kill=True)
                return
            self._workers[worker.pid] = worker
        self._idle.put(worker)

    def start(self) -> None:
        """Start the workers now (otherwise the first query does)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        atexit.register(self.close)
        for _ in range(self.size):
            self._add_worker()
        log.info("query pool: %d worker processes on %s", self.size, self.path)

    def run(self, job: QueryJob) -> Outcome:
        if self._closed:
            return _error(503, "the query executor is shut down")
        self.start()
        limits = job.limits or self.limits
        start = time.monotonic()
        deadline = start + limits.timeout
        try:
            worker = self._idle.get(timeout=limits.timeout)
        except queue.Empty:
            return timeout_outcome(limits.timeout, f"all {self.size} query workers stayed busy")
        try:
            worker.conn.send((self.generation, job, limits))
            if worker.conn.poll(max(deadline - time.monotonic(), 0)):
                outcome: Outcome = worker.conn.recv()
                self._idle.put(worker)
                return replace(outcome, seconds=time.monotonic() - start)
        except (EOFError, OSError):
            self._replace(worker)
            return _error(500, "the query worker died (out of memory?); try a narrower query")
        pid = worker.pid
        self._replace(worker)
        log.warning(
            "query timed out after %g s, worker %d killed: %.200s", limits.timeout, pid, job.text
        )
        return replace(
            timeout_outcome(limits.timeout), seconds=time.monotonic() - start, worker_pid=pid
        )

    def _stop(self, worker: _Worker, *, kill: bool) -> None:
        """End one worker for good and release its pipe and process handle."""
        if worker.conn.closed:
            return  # already stopped (close() and a timing-out request raced)
        if kill:
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=5)
        worker.conn.close()
        worker.process.close()

    def _replace(self, worker: _Worker) -> None:
        """SIGKILL a worker (reaped here: its PID is gone) and start another in the background."""
        with self._lock:
            self._workers.pop(worker.pid, None)
            closed = self._closed
        self._stop(worker, kill=True)
        if not closed:
            threading.Thread(target=self._add_worker, name="devgraph-respawn", daemon=True).start()

    def refresh(self) -> None:
        """Make the data written since the workers opened the store visible to queries.

        Cheap and safe to call after every write: it flushes the writer (so a reopening
        worker reads SST files instead of replaying a long write-ahead log: measured
        5.6 s per open with 200 k unflushed quads, milliseconds after a flush) and bumps
        a generation number; each worker reopens its read-only handle before its next
        query, and a query already running finishes on the snapshot it started with.
        """
        if self._flush is not None:
            self._flush()
        with self._lock:
            self.generation += 1

    def close(self) -> None:
        """Stop every worker (idempotent; also registered with ``atexit``)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers.values())
            self._workers.clear()
        atexit.unregister(self.close)
        idle = set()
        while True:
            try:
                idle.add(self._idle.get_nowait().pid)
            except queue.Empty:
                break
        for worker in workers:  # idle ones are asked to leave, busy ones are killed
            self._stop(worker, kill=worker.pid not in idle)


def create_executor(
    store: GraphStore | str | Path, limits: Limits | None = None, workers: int = 4
) -> Executor:
    """A process pool for an on-disk store, else (in memory, or ``workers=0``) in-thread."""
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
