"""JSON Schemas (draft 2020-12) of what cssp reads and writes, for other systems and editors.

The schemas, by name (:data:`SCHEMAS`), printed by ``cssp schema NAME`` and
served by ``cssp serve`` at ``/v1/schemas/NAME``:

``community``
    One community record: an item of a JSON file's ``communities`` list, one
    line of a JSON Lines file, a ``[[communities]]`` table of TOML. Generated
    from the model itself — the attrs fields of
    :class:`~cssp.model.community.Community`, :class:`~cssp.model.community.Facility`
    and :class:`~cssp.model.community.Staff`, the value rules of
    ``cssp.model.schema`` and the units of the measures' vocabulary — so it
    cannot drift from what the readers accept.
``communities``
    A JSON or TOML document of communities: a list, or ``{"communities": [...]}``.
``profile``
    A data-only province profile (TOML), generated from the classes its
    reader structures; point a TOML editor at it for completion and checks.
``report``, ``assessment``, ``targets``, ``programmes``
    The JSON documents of :mod:`cssp.report` (schema version ``"2"``), as
    ``--format json`` writes them; every document the test suite makes is
    validated against them.
``compact``
    Every community's findings in short arrays, each target stated once
    (``cssp evaluate --format json-compact``, :mod:`cssp.report.compact`).
``request``, ``plans``, ``plugins``, ``problem``
    The service's request body of ``POST /v1/evaluate``, its ``plans`` and
    ``plugins`` documents, and its problem documents (RFC 9457).

>>> from cssp.schemas import schema
>>> schema("community")["properties"]["households"]["description"]
'居民户数 — number of households, in household; a whole number'
>>> sorted(schema("report")["required"])[:3]
['by', 'kind', 'plan']
"""

from __future__ import annotations

import copy
import json
from typing import Any, Final

from cssp.schemas import documents, generated

__all__ = ["SCHEMAS", "openapi_components", "schema", "schema_text"]

_BUILDERS: Final = {
    "community": generated.community_schema,
    "communities": generated.communities_schema,
    "profile": generated.profile_schema,
    "report": documents.report_schema,
    "compact": documents.compact_report_schema,
    "assessment": documents.assessment_schema,
    "targets": documents.targets_schema,
    "programmes": documents.programmes_schema,
    "request": documents.request_schema,
    "plans": documents.plans_schema,
    "plugins": documents.plugins_schema,
    "problem": documents.problem_schema,
}
#: The names of the schemas, for :func:`schema`.
SCHEMAS: Final = tuple(_BUILDERS)
_CACHE: dict[str, dict[str, Any]] = {}


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called ``name`` (one of :data:`SCHEMAS`), as a new dict.

    :raises cssp.InputError: for an unknown name.
    """
    from cssp.errors import InputError  # noqa: PLC0415 - the lowest layer, no cost

    if name not in _BUILDERS:
        raise InputError(f"no schema {name!r}; the schemas are {', '.join(SCHEMAS)}", "name")
    if name not in _CACHE:
        document = _BUILDERS[name]()
        _CACHE[name] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:cssp:schema:{name}",
            **document,
        }
    return copy.deepcopy(_CACHE[name])


def schema_text(name: str) -> str:
    """The schema called ``name`` as JSON text: sorted keys, two-space indent, final newline."""
    return json.dumps(schema(name), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def openapi_components() -> tuple[dict[str, Any], dict[str, str]]:
    """Every schema as OpenAPI 3.1 components, their ``$defs`` lifted beside them.

    :return: the components by name (``cssp_report``, ``cssp_report_finding`` …)
        and, for each schema's name, the ``$ref`` of its component.
    """
    components: dict[str, Any] = {}
    refs: dict[str, str] = {}
    for name in SCHEMAS:
        document = schema(name)
        prefix = f"cssp_{name}"
        defs = document.pop("$defs", {})
        for key in ("$schema", "$id"):
            document.pop(key, None)

        def rewrite(value: Any, prefix: str = prefix) -> Any:
            if isinstance(value, dict):
                out = {k: rewrite(v) for k, v in value.items()}
                ref = out.get("$ref")
                if isinstance(ref, str) and ref.startswith("#/$defs/"):
                    out["$ref"] = f"#/components/schemas/{prefix}_{ref.removeprefix('#/$defs/')}"
                return out
            if isinstance(value, list):
                return [rewrite(v) for v in value]
            return value

        components[prefix] = rewrite(document)
        for key, value in defs.items():
            components[f"{prefix}_{key}"] = rewrite(value)
        refs[name] = f"#/components/schemas/{prefix}"
    return components, refs
