"""Bring files into a project: readers, type inference, column roles and rejects."""

from workbench.ingest.errors import IngestError
from workbench.ingest.importer import ImportReport, import_file
from workbench.ingest.options import ImportOptions, ReadOptions
from workbench.ingest.preview import Preview, preview_file

__all__ = [
    "ImportOptions",
    "ImportReport",
    "IngestError",
    "Preview",
    "ReadOptions",
    "import_file",
    "preview_file",
]
