"""Publication: IATI 2.03 XML from the graph, Registry records, linked-data dumps.

The importer's mapping read backwards (:mod:`.activity_xml`, :mod:`.results_xml`,
:mod:`.org_xml`, shared pieces in :mod:`.parts`), over a read-only :mod:`.view` of the store;
:mod:`.plan` says what each activity lacks, :mod:`.order` sorts by the 2.03 schema,
:mod:`.findings` runs the SHACL shapes in IATI Validator terms, :mod:`.activities` puts it
together; :mod:`.roundtrip` compares imports and files; :mod:`.registry` and :mod:`.dumps`
describe what is published.
"""

from devgraph.export.activities import ActivityExport, ExportError, IatiFile, export_activities
from devgraph.export.dumps import write_dumps
from devgraph.export.findings import IatiFinding
from devgraph.export.org_xml import OrgExport, export_organisation
from devgraph.export.registry import registry_record, registry_records

__all__ = [
    "ActivityExport",
    "ExportError",
    "IatiFile",
    "IatiFinding",
    "OrgExport",
    "export_activities",
    "export_organisation",
    "registry_record",
    "registry_records",
    "write_dumps",
]
