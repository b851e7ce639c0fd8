"""Shared test configuration: hypothesis profiles.

CI sets ``CI=true``; it then runs a derandomized profile with no deadline, so a
slow machine cannot make a property test flake. ``HYPOTHESIS_PROFILE`` picks a
profile by name (``dev``, ``ci``, ``fuzz``).

The core tests evaluate against the national plan alone, whatever plugins are
installed in the environment: entry-point discovery is switched off here, and
the tests of profiles and plugins load them explicitly.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

os.environ["CSSP_DISABLE_PLUGIN_AUTOLOAD"] = "1"

settings.register_profile("dev", max_examples=100)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fuzz", max_examples=5000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
