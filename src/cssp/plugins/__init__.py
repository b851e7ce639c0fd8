"""Plugins (placeholder until the plugin host lands)."""

from cssp.rules.resolve import ProfileSet

_DEFAULT = ProfileSet()


def default_profiles() -> ProfileSet:
    """The profiles of the installed plugins."""
    return _DEFAULT
