"""Whole-store computations pages share (flow graph, validation report), kept until it changes.

Building the flow graph, validating the portfolio or indexing every activity's text reads
the whole store; a page that needs one fact from them should not pay that on every request.
Results are kept per store object (weakly: a closed, dropped store takes its results with
it) and recomputed when the store changes. The embedded store counts its own writes
(``EmbeddedStore.generation``: it is the only writer of its files), so that check is free;
for other stores the triple count stands in, measured at most every :data:`SIZE_TTL`
seconds — a write that keeps the exact count is the accepted blind spot there.

One computation per result at a time: requests arriving while the flow graph is being built
(100 s at 100 k activities) wait for that build instead of starting their own, and
:func:`devgraph.pages.warm.warm_up` starts the slow ones when the server starts.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from devgraph.network import FlowGraph, build_flows
from devgraph.report import ValidationReport
from devgraph.store import GraphStore
from devgraph.validate import validate_store

T = TypeVar("T")
SIZE_TTL = 2.0
"""Seconds a measured store size is trusted: counting triples is itself a scan (0.2 s for
300 k triples, 8 s for 11 M), and one page asks several times."""

_LOCK = threading.Lock()
_CACHE: weakref.WeakKeyDictionary[Any, dict[str, tuple[Hashable, object]]] = (
    weakref.WeakKeyDictionary()
)
_SIZES: weakref.WeakKeyDictionary[Any, tuple[float, int]] = weakref.WeakKeyDictionary()
_RUNNING: weakref.WeakKeyDictionary[Any, threading.Thread] = weakref.WeakKeyDictionary()
_COMPUTING: weakref.WeakKeyDictionary[Any, dict[str, threading.Lock]] = weakref.WeakKeyDictionary()


def store_state(store: GraphStore) -> Hashable:
    """What identifies the store's contents: its write generation, else its triple count."""
    generation = getattr(store, "generation", None)
    if isinstance(generation, int):
        return ("generation", generation)
    now = time.monotonic()
    with _LOCK:
        seen = _SIZES.get(store)
        if seen is not None and now - seen[0] < SIZE_TTL:
            return ("size", seen[1])
    size = len(store)  # type: ignore[arg-type]
    with _LOCK:
        _SIZES[store] = (now, size)
    return ("size", size)


def cached(store: GraphStore, key: str, compute: Callable[[GraphStore], T]) -> T:
    """``compute(store)``, reused while the store stays the same; computed once at a time.

    Callers must treat the result as read-only: it is shared between requests.
    """
    with _LOCK:
        lock = _COMPUTING.setdefault(store, {}).setdefault(key, threading.Lock())
    with lock:  # a second request for the same result waits for the first one's
        state = store_state(store)
        with _LOCK:
            hit = _CACHE.get(store, {}).get(key)
            if hit is not None and hit[0] == state:
                return hit[1]  # type: ignore[return-value]
        result = compute(store)
        with _LOCK:
            _CACHE.setdefault(store, {})[key] = (state, result)
        return result


def peek(store: GraphStore, key: str) -> Any | None:
    """The cached result for the store's current state, or None (never computes)."""
    state = store_state(store)
    with _LOCK:
        hit = _CACHE.get(store, {}).get(key)
    return hit[1] if hit is not None and hit[0] == state else None


def flows(store: GraphStore) -> FlowGraph:
    """The who-funds-whom flow graph of the store (see :mod:`devgraph.network`)."""
    return cached(store, "flows", build_flows)


def validation(store: GraphStore, *, wait: bool = True) -> ValidationReport | None:
    """The SHACL report on the store's data graphs (slow: ~10 ms per activity).

    With ``wait=False``, a report not computed yet is started in a background thread and
    None is returned at once: a page can say "validation running" instead of hanging.
    """
    if wait:  # a background run under way holds the result's lock: this waits for it
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
