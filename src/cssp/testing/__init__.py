"""Testing helpers for code that uses cssp, and for province plugins.

* :mod:`cssp.testing.strategies` — hypothesis strategies for cssp's model
  (facilities, staff, communities, lists of communities); needs hypothesis
  (``pip install 'cssp[testing]'``). Its names are importable from here:
  ``from cssp.testing import communities``.
* :mod:`cssp.testing.cases` — declarative profile test cases (a TOML file of
  communities and expected statuses), run by
  :func:`~cssp.testing.cases.run_profile_tests` and
  ``cssp test-profile``. No hypothesis needed.
* :mod:`cssp.testing.plugin` — the tests every province plugin package
  shares (its cases, its packaging, its loading as an installed entry point,
  strict mode): subclass :class:`~cssp.testing.plugin.DataPluginTests` or
  :class:`~cssp.testing.plugin.PythonPluginTests` in the package's tests.
  No hypothesis needed.

The submodules load when first used: importing :mod:`cssp.testing` imports
neither hypothesis nor the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cssp.testing.cases import CaseResult, run_profile_tests
    from cssp.testing.plugin import (
        DataPluginTests,
        PluginPackage,
        PluginTests,
        PythonPluginTests,
    )
    from cssp.testing.strategies import (
        MAX_AREA,
        MAX_HOUSEHOLDS,
        MAX_PERSONS,
        areas,
        communities,
        community_codes,
        community_lists,
        example_community,
        facilities,
        opening_hours,
        services,
        staff,
        township_codes,
    )

__all__ = [
    "MAX_AREA",
    "MAX_HOUSEHOLDS",
    "MAX_PERSONS",
    "CaseResult",
    "DataPluginTests",
    "PluginPackage",
    "PluginTests",
    "PythonPluginTests",
    "areas",
    "communities",
    "community_codes",
    "community_lists",
    "example_community",
    "facilities",
    "opening_hours",
    "run_profile_tests",
    "services",
    "staff",
    "township_codes",
]

_WHERE = {
    "CaseResult": "cases",
    "run_profile_tests": "cases",
    "DataPluginTests": "plugin",
    "PluginPackage": "plugin",
    "PluginTests": "plugin",
    "PythonPluginTests": "plugin",
}


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module 'cssp.testing' has no attribute {name!r}")
    module = importlib.import_module(f"cssp.testing.{_WHERE.get(name, 'strategies')}")
    return getattr(module, name)
