"""IATI XML import: every version (1.00–2.03), streaming, safe, lossless, with provenance.

``import_paths(store, paths)`` reads activity and organisation files (files, folders, zip
archives) into one named graph per file. Modules: :mod:`.reader` (safe streaming parse),
:mod:`.versions` (1.0x → 2.0x), :mod:`.activity` / :mod:`.finance` / :mod:`.results` /
:mod:`.organisation` (element → triples), :mod:`.builder` (literals, narratives, generic
fallback), :mod:`.iris`, :mod:`.xsd`, :mod:`.provenance`, :mod:`.report`, :mod:`.importer`.
"""

from devgraph.iati.importer import PROGRESS_EVERY, import_paths
from devgraph.iati.reader import IatiImportError, is_iati_file
from devgraph.iati.report import FileReport, ImportReport, Progress

__all__ = [
    "PROGRESS_EVERY",
    "FileReport",
    "IatiImportError",
    "ImportReport",
    "Progress",
    "import_paths",
    "is_iati_file",
]
