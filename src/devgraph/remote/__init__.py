"""The remote backend: devgraph on a SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki…).

``open_store("http://…")`` returns a :class:`RemoteStore`; see :mod:`devgraph.remote.config`
for the environment variables that complete the URL, and docs/scaling.md.
"""

from devgraph.remote.config import RemoteConfig, config_from_url
from devgraph.remote.http import RemoteError, RemoteTimeout
from devgraph.remote.store import RemoteStore

__all__ = ["RemoteConfig", "RemoteError", "RemoteStore", "RemoteTimeout", "config_from_url"]
