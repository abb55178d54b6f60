"""Whole-store computations pages share (flow graph, validation report), kept until it changes.

Building the flow graph, validating the portfolio or indexing every activity's text reads
the whole store; a page that needs one fact from them should not pay that on every request.
Results are kept per store object (weakly: a closed, dropped store takes its results with
it) and recomputed when the store's size changes. Every load, import or update changes the
size in practice; a write that keeps the exact triple count is the accepted blind spot, and
a change is seen at most :data:`SIZE_TTL` seconds late.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from devgraph.network import FlowGraph, build_flows
from devgraph.report import ValidationReport
from devgraph.store import GraphStore
from devgraph.validate import validate_store

T = TypeVar("T")
SIZE_TTL = 2.0
"""Seconds a measured store size is trusted: counting triples is itself a scan (0.2 s for
300 k triples), and one page asks several times."""

_LOCK = threading.Lock()
_CACHE: weakref.WeakKeyDictionary[Any, dict[str, tuple[int, object]]] = weakref.WeakKeyDictionary()
_SIZES: weakref.WeakKeyDictionary[Any, tuple[float, int]] = weakref.WeakKeyDictionary()
_RUNNING: weakref.WeakKeyDictionary[Any, threading.Thread] = weakref.WeakKeyDictionary()


def store_size(store: GraphStore) -> int:
    """``len(store)``, measured at most once every :data:`SIZE_TTL` seconds per store."""
    now = time.monotonic()
    with _LOCK:
        seen = _SIZES.get(store)
        if seen is not None and now - seen[0] < SIZE_TTL:
            return seen[1]
    size = len(store)  # type: ignore[arg-type]
    with _LOCK:
        _SIZES[store] = (now, size)
    return size


def cached(store: GraphStore, key: str, compute: Callable[[GraphStore], T]) -> T:
    """``compute(store)``, reused while the store's size stays the same.

    Callers must treat the result as read-only: it is shared between requests.
    """
    size = store_size(store)
    with _LOCK:
        hit = _CACHE.get(store, {}).get(key)
        if hit is not None and hit[0] == size:
            return hit[1]  # type: ignore[return-value]
    result = compute(store)
    with _LOCK:
        _CACHE.setdefault(store, {})[key] = (size, result)
    return result


def peek(store: GraphStore, key: str) -> Any | None:
    """The cached result for the store's current state, or None (never computes)."""
    size = store_size(store)
    with _LOCK:
        hit = _CACHE.get(store, {}).get(key)
    return hit[1] if hit is not None and hit[0] == size else None


def flows(store: GraphStore) -> FlowGraph:
    """The who-funds-whom flow graph of the store (see :mod:`devgraph.network`)."""
    return cached(store, "flows", build_flows)


def validation(store: GraphStore, *, wait: bool = True) -> ValidationReport | None:
    """The SHACL report on the store's data graphs (slow: ~10 ms per activity).

    With ``wait=False``, a report not computed yet is started in a background thread and
    None is returned at once: a page can say "validation running" instead of hanging.
    """
    if wait:
        with _LOCK:
            running = _RUNNING.get(store)
        if running is not None and running.is_alive():
            running.join()  # the background run is under way: wait for it, not a second run
        return cached(store, "validation", validate_store)
    report = peek(store, "validation")
    if report is not None:
        return report
    with _LOCK:
        running = _RUNNING.get(store)
        if running is None or not running.is_alive():
            worker = threading.Thread(
                target=cached,
                args=(store, "validation", validate_store),
                name="devgraph-page-validation",
                daemon=True,
            )
            _RUNNING[store] = worker
            worker.start()
    return None
