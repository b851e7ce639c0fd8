"""Reading and writing cssp's data: one cattrs converter with located errors.

:func:`~cssp.io.readers.read_communities` and :func:`~cssp.io.readers.read_many`
read JSON, JSON Lines, TOML, CSV, Excel and Parquet files (:mod:`cssp.io.readers`),
and :func:`~cssp.io.readers.townships.read_townships` township records in the same formats;
:func:`~cssp.io.writers.write_atomic` and :func:`~cssp.io.writers.communities_to_json`
write them (:mod:`cssp.io.writers`). The formats are described in
``docs/reference/formats.md``.
"""

from cssp.io.readers import (
    FORMATS,
    SourceFile,
    detect_format,
    read_communities,
    read_many,
    read_sources,
)
from cssp.io.readers.townships import read_townships
from cssp.io.writers import communities_to_json, write_atomic
from cssp.model.convert import (
    MAX_PROBLEMS,
    get_converter,
    structure,
    structure_communities,
    unstructure,
)

__all__ = [
    "FORMATS",
    "MAX_PROBLEMS",
    "SourceFile",
    "communities_to_json",
    "detect_format",
    "get_converter",
    "read_communities",
    "read_many",
    "read_sources",
    "read_townships",
    "structure",
    "structure_communities",
    "unstructure",
    "write_atomic",
]
