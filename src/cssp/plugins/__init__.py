"""Plugins: discovery, registration and the profiles they provide.

Plugins are found through the entry-point group ``cssp``. An entry point is
either

* a Python module (``beijing = "cssp_beijing"``) implementing the hooks of
  :mod:`cssp.plugins.hookspecs`; it is imported and registered with pluggy,
  whose hook validation runs at load (a misspelt hook is an error); or
* a TOML file inside a package (``guangdong = "cssp_guangdong:profile.toml"``):
  the file is located without importing the package and read as data by
  :func:`cssp.rules.toml.parse_profile` — a data-only plugin never runs code.

Set ``CSSP_DISABLE_PLUGIN_AUTOLOAD`` (to any non-empty value), or pass
``autoload=False``, to skip discovery; register plugins explicitly with
``plugins=`` and profiles with ``profiles=``; block entry points by name with
``blocked=``. ``CSSP_PLUGIN_TRACE`` prints pluggy's trace to stderr.

A plugin is contained as far as an in-process Python plugin can be (see
``SECURITY.md``): its import and each call of its hook run under a time limit
(``timeout=``, ``CSSP_PLUGIN_TIMEOUT``), so a plugin that hangs is named
instead of hanging cssp; what it returns must be a list of profiles, whose
objects checked the type of every field when the plugin built them (a wrong
one names the plugin, the field and the plugin's line); the profiles of an
installed plugin always carry its distribution's name and version as their
source; and the scopes each distribution may set can be restricted
(``allowed_scopes=``, ``CSSP_PLUGIN_SCOPES``), so that a plugin named for one
province cannot silently change another's targets.

The work is split by job: ``cssp.plugins.discovery`` finds the entry points,
reads packaged profiles and the environment; ``cssp.plugins.containment``
holds the time limits and the checks on what a plugin returns;
``cssp.plugins.host`` holds :class:`PluginHost` and the default plugins.
Every public name is importable from here, where it is documented.
"""

from __future__ import annotations

from cssp.plugins.discovery import (
    COLUMN_MAP_NAME,
    DEFAULT_TIMEOUT,
    DISABLE_AUTOLOAD_ENV,
    ENTRY_POINT_GROUP,
    MAX_TIMEOUT,
    SCOPES_ENV,
    TIMEOUT_ENV,
    load_profile,
    packaged_column_map,
)
from cssp.plugins.hookspecs import hookimpl
from cssp.plugins.host import (
    PluginHost,
    PluginInfo,
    default_profiles,
    list_plugins,
    load_plugins,
    reset,
)

__all__ = [
    "COLUMN_MAP_NAME",
    "DEFAULT_TIMEOUT",
    "DISABLE_AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "MAX_TIMEOUT",
    "SCOPES_ENV",
    "TIMEOUT_ENV",
    "PluginHost",
    "PluginInfo",
    "default_profiles",
    "hookimpl",
    "list_plugins",
    "load_plugins",
    "load_profile",
    "packaged_column_map",
    "reset",
]

# The public names are documented here, as cssp.plugins.X: say so in their
# __module__, as numpy's set_module does, so that the docs' cross-references
# (signatures included) and pickles name where users import them from.
for _public in (
    PluginHost,
    PluginInfo,
    default_profiles,
    list_plugins,
    load_plugins,
    load_profile,
    packaged_column_map,
    reset,
):
    _public.__module__ = __name__
del _public
