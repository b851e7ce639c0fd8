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
import functools
import os
from collections.abc import Callable
from typing import Any

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


#: Command lines tried by the whole-command fuzzer (``test_fuzz_command.py``), by outcome.
FUZZ_COMMAND_TRIED: pytest.StashKey[collections.Counter[str]] = pytest.StashKey()


@pytest.fixture(scope="session")
def fuzz_command_tried(pytestconfig: pytest.Config) -> collections.Counter[str]:
    """Where the command fuzzer counts: ``fuzz_command_tried["exit 0"] += 1`` a command line."""
    return pytestconfig.stash.setdefault(FUZZ_COMMAND_TRIED, collections.Counter())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """End the run with how many inputs the fuzz tests tried, when any ran."""
    tried = config.stash.get(FUZZ_INPUTS_TRIED, None)
    if tried:
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(tried.items()))
        terminalreporter.write_line(f"fuzz_readers: {sum(tried.values())} inputs tried ({parts})")
    commands = config.stash.get(FUZZ_COMMAND_TRIED, None)
    if commands:
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(commands.items()))
        total = sum(v for k, v in commands.items() if k.startswith("exit"))
        terminalreporter.write_line(
            f"fuzz_command: {total + commands['processes']} inputs tried ({parts})"
        )


# Every JSON document the tests make through cssp.report is checked against its
# JSON Schema (cssp.schemas) with every object closed, at the end of the run: a
# field the code writes and the schema does not name, or one of the wrong type,
# fails the run. Documents over 2 MB are left out (they repeat the small ones).
DOCUMENTS: pytest.StashKey[dict[str, object]] = pytest.StashKey()
_DOCUMENT_KINDS = {
    "region_report": "report",
    "assessment": "assessment",
    "targets": "targets",
    "programmes": "programmes",
}


def _closed(node: Any) -> Any:
    """The schema with ``additionalProperties: false`` on every object that lists properties.

    The shipped schemas leave objects open (readers ignore fields they do not
    know); the tests close them, so a field cssp writes and its schema does not
    name is a failure.
    """
    if isinstance(node, dict):
        out = {key: _closed(value) for key, value in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(value) for value in node]
    return node


@functools.cache
def closed_validator(name: str) -> Any:
    """A ``jsonschema`` validator of the schema called ``name``, every object closed."""
    import jsonschema

    from cssp.schemas import schema

    document = _closed(schema(name))
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="session")
def check_schema() -> Callable[[str, object], None]:
    """``check_schema(name, document)``: fail unless the document is valid, every object closed."""
    pytest.importorskip("jsonschema")

    def check(name: str, document: object) -> None:
        errors = list(closed_validator(name).iter_errors(document))
        messages = [f"#/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]
        assert messages == []

    return check


def pytest_configure(config: pytest.Config) -> None:
    """Collect the documents cssp.report writes (``cssp.report.dumps``), one per distinct text."""
    import cssp.report

    seen: dict[str, object] = config.stash.setdefault(DOCUMENTS, {})
    namespace = vars(cssp.report)  # the module's globals: what render_report calls
    write: Callable[[dict[str, object]], str] = namespace["dumps"]

    def collecting(document: dict[str, object]) -> str:
        text = write(document)
        if len(text) < 2_000_000 and len(seen) < 3000 and document.get("kind") in _DOCUMENT_KINDS:
            seen.setdefault(text, document)
        return text

    namespace["dumps"] = collecting


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Validate the documents collected; a document that does not fail the run."""
    documents = session.config.stash.get(DOCUMENTS, {})
    if not documents:
        return
    try:
        import jsonschema  # noqa: F401
    except ImportError:  # jsonschema missing: the schema tests skip, and so does this
        return
    failures = []
    for document in documents.values():
        assert isinstance(document, dict)
        validator = closed_validator(_DOCUMENT_KINDS[document["kind"]])
        for error in validator.iter_errors(document):
            where = "/".join(str(p) for p in error.absolute_path)
            failures.append(f"{document['kind']} document: #/{where}: {error.message}")
            break
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"schemas: {len(documents)} JSON documents checked, {len(failures)} invalid"
        )
        for line in failures[:20]:
            reporter.write_line(f"  {line}")
    if failures:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
