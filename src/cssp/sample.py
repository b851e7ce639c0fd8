"""The sample data shipped with cssp: a small, realistic, synthetic set of communities."""

from __future__ import annotations

import json
from importlib import resources

from cssp.model.community import Community
from cssp.model.convert import structure_communities

__all__ = ["load_sample"]


def load_sample() -> tuple[Community, ...]:
    """Return the sample communities used by ``make demo``, the docs and the tests.

    They are synthetic: real township codes and names of Guangdong and
    Zhejiang, invented community names and figures, some missing values and
    some failures. See ``cssp/data/README.md`` for how they were made.
    """
    text = resources.files("cssp").joinpath("data/sample_communities.json").read_text("utf-8")
    return structure_communities(json.loads(text), where="sample_communities.json")
