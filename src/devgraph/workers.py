"""The killable process pool behind :class:`devgraph.executor.ProcessExecutor`.

pyoxigraph cannot cancel a running query, so on an on-disk store each query runs in a
worker process holding its own read-only handle; one that overruns its deadline has
its worker SIGKILLed and replaced (see ``../shared/recipes/endpoint-timeouts.md``).

Kept apart from :mod:`devgraph.executor`, which owns the job, the outcome and
:func:`~devgraph.executor.evaluate` and re-exports :class:`ProcessExecutor`. The worker
entry point :func:`_worker_main` stays a top-level function of this module: the
``forkserver`` start method pickles it by reference.
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
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from devgraph.executor import (
    Limits,
    Outcome,
    QueryJob,
    error_outcome,
    evaluate,
    timeout_outcome,
)

log = logging.getLogger(__name__)


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
            outcome = error_outcome(500, f"query worker failed: {type(exc).__name__}: {exc}")
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
        self._ctx.set_forkserver_preload(["pyoxigraph", "devgraph.workers"])
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
            return error_outcome(503, "the query executor is shut down")
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
            return error_outcome(
                500, "the query worker died (out of memory?); try a narrower query"
            )
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
