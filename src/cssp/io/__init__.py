"""Reading and writing cssp's data: one cattrs converter with located errors."""

from cssp.io.converter import (
    MAX_PROBLEMS,
    get_converter,
    structure,
    structure_communities,
    unstructure,
)

__all__ = ["MAX_PROBLEMS", "get_converter", "structure", "structure_communities", "unstructure"]
