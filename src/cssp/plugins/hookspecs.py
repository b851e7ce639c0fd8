"""The hooks a cssp plugin can implement.

Write ``from cssp import hookimpl`` and decorate a function of the same name in
your plugin module; declare the module as an entry point in group ``cssp``::

    [project.entry-points.cssp]
    beijing = "cssp_beijing"

Hook specifications only ever gain arguments; an implementation may take
fewer arguments than the specification lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from cssp.rules.profile import Profile

__all__ = ["hookimpl", "hookspec"]

#: Marks cssp's hook specifications.
hookspec = pluggy.HookspecMarker("cssp")
#: Marks a plugin's hook implementations: ``@cssp.hookimpl``.
hookimpl = pluggy.HookimplMarker("cssp")


@hookspec
def cssp_profiles() -> Sequence[Profile]:  # type: ignore[empty-body]
    """Return the profiles this plugin provides.

    Called once, when the plugins are loaded — never per community. Each
    :class:`~cssp.rules.profile.Profile` names the plan it refines, its scope
    (a division code prefix such as ``"44"``), its document, and carries
    overrides of the plan's targets, new indicators (with the computations of
    their measures in :attr:`~cssp.rules.profile.Profile.measures`) and
    optionally a :class:`~cssp.rules.profile.StaffingRule`, each with its
    citation. cssp fills in :attr:`~cssp.rules.profile.Profile.source` with
    the plugin's distribution name and version (an installed plugin cannot
    name another source).

    All results are collected (this is not a ``firstresult`` hook). A plugin
    that raises, calls :func:`sys.exit`, does not return within the time limit
    (``CSSP_PLUGIN_TIMEOUT``), or returns anything but a list or tuple of
    profiles, fails with a :class:`~cssp.errors.PluginError` naming it; so does
    one that builds a profile, override, indicator, target, citation or text
    with a field of the wrong type (the object refuses it when it is built,
    naming the field), and a profile outside the scopes its distribution may
    set (``CSSP_PLUGIN_SCOPES``).

    :return: a list (or tuple) of profiles, possibly empty.

    .. versionadded:: 0.1
    """
