"""Start the browser's whole-store computations when the server starts.

On a large store the first visitor would otherwise pay for them: at 100 k activities the
flow graph behind the home, organisation and activity pages takes ~100 s and validation a
few minutes. They run one after the other in a background thread; a page asking for one
that is under way waits for it (:func:`devgraph.pages.cache.cached`) rather than starting a
second copy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from devgraph.pages import cache
from devgraph.pages.activities import search_activities
from devgraph.pages.home import home_page
from devgraph.pages.organisation import organisations_index
from devgraph.store import GraphStore


def warm_up(store: GraphStore) -> threading.Thread:
    """Home page (and so the flow graph and budgets), search index, organisations (and so
    every participation), then validation, one after the other in a daemon thread."""
    steps: list[Callable[[GraphStore], object]] = [
        lambda s: home_page(s, lang="en"),
        lambda s: search_activities(s),
        lambda s: organisations_index(s, lang="en"),
        lambda s: cache.validation(s, wait=True),
    ]

    def run() -> None:
        for step in steps:
            try:
                step(store)
            except Exception:  # noqa: BLE001 - a page will compute it again and show the error
                continue

    thread = threading.Thread(target=run, name="devgraph-page-warm-up", daemon=True)
    thread.start()
    return thread
