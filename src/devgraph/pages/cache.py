"""Whole-store computations pages share (flow graph, validation report), kept until it changes.

Building the flow graph or validating the portfolio reads the whole store; a page that
needs one fact from them should not pay that on every request. Results are kept per store
and recomputed when the store's size changes (every load, import or update changes it in
practice; a write that keeps the exact triple count is the accepted blind spot).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from devgraph.network import FlowGraph, build_flows
from devgraph.report import ValidationReport
from devgraph.store import GraphStore
from devgraph.validate import validate_store

T = TypeVar("T")
_LOCK = threading.Lock()
_CACHE: dict[tuple[int, str], tuple[int, object]] = {}


def cached(store: GraphStore, key: str, compute: Callable[[GraphStore], T]) -> T:
    """``compute(store)``, reused while ``len(store)`` stays the same."""
    size = len(store)  # type: ignore[arg-type]
    slot = (id(store), key)
    with _LOCK:
        hit = _CACHE.get(slot)
        if hit is not None and hit[0] == size:
            return hit[1]  # type: ignore[return-value]
    result = compute(store)
    with _LOCK:
        _CACHE[slot] = (size, result)
    return result


def flows(store: GraphStore) -> FlowGraph:
    """The who-funds-whom flow graph of the store (see :mod:`devgraph.network`)."""
    return cached(store, "flows", build_flows)


def validation(store: GraphStore) -> ValidationReport:
    """The SHACL report on the store's data graphs (slow: seconds for the seed portfolio)."""
    return cached(store, "validation", validate_store)
