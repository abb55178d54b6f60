"""devgraph: a knowledge graph and SPARQL service for development-cooperation projects."""

__version__ = "0.1.0"
