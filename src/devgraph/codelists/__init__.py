"""IATI codelists as SKOS concept schemes.

The IATI codelist XML under ``../shared/iati/codelists`` is the source of truth; this package
turns each list into one ``skos:ConceptScheme`` so activity data can point at concepts
(``cl:OrganisationRole/1``) instead of bare codes, and so labels in English and French,
hierarchies (Sector → SectorCategory) and withdrawn codes travel with the graph.

IATI 1.0x used text codes for a few embedded lists (``C``, ``Funding``, ``start-planned``).
They are generated as separate ``cl:v1/…`` schemes mapped to their 2.0x concepts, and the same
table is exposed as :func:`v1_to_v2` for the importer. devgraph's own small schemes
(partner roles, reach, sex) are built here too so that one command regenerates every codelist.

Modules: :mod:`.reader` (XML → dataclasses), :mod:`.rdf` (IRIs, SKOS graph of a list),
:mod:`.v1` (1.0x text codes), :mod:`.devgraph_schemes` (own schemes), :mod:`.build` (all files).
"""

from devgraph.codelists.build import DEFAULT_OUTPUT, DEFAULT_SOURCE, REPO_ROOT, build_all, write_all
from devgraph.codelists.devgraph_schemes import devgraph_graph
from devgraph.codelists.rdf import CL, DG, DGR, codelist_graph, concept_iri, scheme_iri, serialize
from devgraph.codelists.reader import Codelist, Item, read_codelist, read_folder
from devgraph.codelists.v1 import V1_TABLE, v1_graph, v1_to_v2, v2_list_for_v1

__all__ = [
    "CL",
    "DEFAULT_OUTPUT",
    "DEFAULT_SOURCE",
    "DG",
    "DGR",
    "REPO_ROOT",
    "V1_TABLE",
    "Codelist",
    "Item",
    "build_all",
    "codelist_graph",
    "concept_iri",
    "devgraph_graph",
    "read_codelist",
    "read_folder",
    "scheme_iri",
    "serialize",
    "v1_graph",
    "v1_to_v2",
    "v2_list_for_v1",
    "write_all",
]
