"""Shared test configuration: hypothesis profiles.

CI sets ``CI=true``; it then runs a derandomized profile with no deadline, so a
slow machine cannot make a property test flake. ``HYPOTHESIS_PROFILE`` picks a
profile by name (``dev``, ``ci``, ``fuzz``).

The core tests evaluate against the national plan alone, whatever plugins are
installed in the environment: entry-point discovery is switched off here, and
the tests of profiles and plugins load them explicitly.

The readers' fuzz tests (``test_fuzz_readers.py``) count the inputs they try
in the ``fuzz_inputs_tried`` fixture; the run ends with the counts.
"""

from __future__ import annotations

import collections
import os

import pytest
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


#: Inputs tried by each fuzz test of the readers, by the name it counts them under.
FUZZ_INPUTS_TRIED: pytest.StashKey[collections.Counter[str]] = pytest.StashKey()


@pytest.fixture(scope="session")
def fuzz_inputs_tried(pytestconfig: pytest.Config) -> collections.Counter[str]:
    """Where a fuzz test counts its inputs: ``fuzz_inputs_tried["files"] += 1`` an input."""
    return pytestconfig.stash.setdefault(FUZZ_INPUTS_TRIED, collections.Counter())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """End the run with how many inputs the readers' fuzz tests tried, when any ran."""
    tried = config.stash.get(FUZZ_INPUTS_TRIED, None)
    if tried:
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(tried.items()))
        terminalreporter.write_line(f"fuzz_readers: {sum(tried.values())} inputs tried ({parts})")
