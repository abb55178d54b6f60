"""W3C SPARQL 1.1 conformance harness for devgraph (and, as a baseline, a bare Oxigraph server).

The harness talks to a server only over HTTP (query, update and Graph Store Protocol
endpoints), so the same runner measures devgraph and any other SPARQL 1.1 server.
The W3C suites are read from ``../shared/w3c`` beside the repository; nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
W3C_ROOT = REPO.parent / "shared" / "w3c" / "sparql" / "sparql11"
# The IRI under which the W3C published these files: relative IRIs in manifests,
# queries and data resolve against it, exactly as in the published suite.
W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
