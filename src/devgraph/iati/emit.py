"""From one item's statements to the ``ox.Triple`` objects the store receives, de-duplicated.

Why: about a fifth of what the mappers say is said again — the same organisation's type,
identifier and name in every activity (and every transaction) naming it, the same country's
code in every activity that lists it. The store keeps one copy anyway, but each copy costs
a Python ``ox.Triple``, the store's ``ox.Quad`` and a bulk-loader entry before being thrown
away. Statements about the item's own nodes (its subject and the sub-nodes under its IRI)
are never repeated by another item, so only statements about other nodes go through a
set, and that set is bounded (cleared when full) so memory stays bounded by the largest
activity, whatever the file size. Dropping a repeat never changes the graph (a set).
"""

from __future__ import annotations

import pyoxigraph as ox

from devgraph.iati.builder import ActivityContext, Statement

__all__ = ["SHARED_LIMIT", "SharedStatements"]

SHARED_LIMIT = 100_000
"""Statements about shared nodes remembered per file before the memory is cleared (~20 MB)."""


class SharedStatements:
    """Remembers statements about shared nodes (organisations, places, linked activities)."""

    def __init__(self, limit: int = SHARED_LIMIT) -> None:
        self.limit = limit
        self.seen: set[Statement] = set()
        self.dropped = 0

    def triples(self, ctx: ActivityContext) -> list[ox.Triple]:
        """``ctx.out`` as triples, without statements about shared nodes already emitted."""
        subject = ctx.subject
        prefix = ctx.base + "/"
        seen = self.seen
        triples = []
        append = triples.append
        for st in ctx.out:
            s = st[0]
            if s is not subject and not s.value.startswith(prefix):
                size = len(seen)
                seen.add(st)
                if len(seen) == size:
                    self.dropped += 1
                    continue
            append(ox.Triple(*st))
        if len(seen) > self.limit:
            seen.clear()
        return triples
