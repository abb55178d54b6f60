"""``python -m devgraph`` is the ``devgraph`` command."""

from devgraph.cli import main

main(prog_name="devgraph")
