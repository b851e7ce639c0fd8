"""The schemas of the JSON documents cssp writes (schema version "2") and of the service's.

Written once, here, field by field as ``docs/reference/json-schema.md``
describes them; their closed sets (statuses, comparators, scopes …) come from
the model's enums. The tests hold them to the truth both ways: every document
the test suite makes validates with every object closed (no field the schema
does not name), and every field of the reference page is in the schema.

The shipped schemas leave objects open, as the versioning rule asks: a field
added to version "2" must not break a reader that validates.
"""

from __future__ import annotations

from typing import Any, Final

from cssp.model.community import CommunityKind
from cssp.model.measures import Status
from cssp.model.plan import (
    Attribute,
    Change,
    Comparator,
    IndicatorKind,
    Level,
    Scope,
    Strength,
)
from cssp.report import SCHEMA_VERSION

__all__ = [
    "assessment_schema",
    "compact_report_schema",
    "plans_schema",
    "plugins_schema",
    "problem_schema",
    "programmes_schema",
    "report_schema",
    "request_schema",
    "targets_schema",
]

_STR: Final = {"type": "string"}
_INT: Final = {"type": "integer"}
_NUM: Final = {"type": "number"}
_BOOL: Final = {"type": "boolean"}
_TEXT: Final = {"$ref": "#/$defs/text"}


def _null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _list(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _enum(kind: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [member.value for member in kind]}


def _object(about: str, /, **properties: dict[str, Any]) -> dict[str, Any]:
    """An object whose every field is present (cssp writes them all, null when empty)."""
    return {
        "type": "object",
        "description": about,
        "properties": properties,
        "required": sorted(properties),
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _shared() -> dict[str, Any]:
    """The objects every document shares (the reference page's "Shared objects")."""
    summary = _object(
        "how many findings (or communities) reached each status",
        met=_INT,
        not_met=_INT,
        not_applicable=_INT,
        no_data=_INT,
        no_verdict=_INT,
    )
    return {
        "text": _object("a text in Chinese and English", zh=_STR, en=_STR),
        "plan": _object(
            "the plan evaluated against",
            id=_STR,
            title=_TEXT,
            issuer=_STR,
            document=_STR,
            baseline_year=_INT,
            target_year=_INT,
        ),
        "reported": _object(
            "where cssp read a document's figures, when not in the document itself",
            outlet=_TEXT,
            date=_null({"type": "string", "format": "date"}),
            text_zh=_STR,
            text_en=_STR,
        ),
        "citation": _object(
            "where a fact is stated",
            document=_STR,
            section=_STR,
            column=_STR,
            item=_null(_INT),
            note=_null(_TEXT),
            title=_null(_TEXT),
            reported_by=_null(_ref("reported")),
            text_zh=_STR,
            text_en=_STR,
        ),
        "counts": summary,
        "summary": summary,
        "finding": _object(
            "the verdict on one target for one community or one region",
            target=_STR,
            indicator=_STR,
            name=_TEXT,
            kind=_enum(IndicatorKind),
            status=_enum(Status),
            comparator=_enum(Comparator),
            observed=_null(_NUM),
            required=_null(_NUM),
            unit=_STR,
            unit_label=_TEXT,
            gap=_null(_NUM),
            level=_enum(Level),
            subject=_STR,
            year=_INT,
            milestone=_BOOL,
            on_track=_null(_BOOL),
            reason=_null(_TEXT),
            numerator=_null(_NUM),
            denominator=_null(_NUM),
            counts=_null(_ref("counts")),
            failing=_list(_STR),
            failing_lack=_BOOL,
            counted={"type": "string", "enum": ["communities", "townships"]},
            loosened=_BOOL,
            profiles=_list(_STR),
            approximate=_BOOL,
            explanation=_TEXT,
        ),
        "step": _object(
            "one step of a target's provenance",
            source=_STR,
            profile=_STR,
            scope=_STR,
            comparator=_enum(Comparator),
            value=_null(_NUM),
            year=_INT,
            citation=_ref("citation"),
            change=_enum(Change),
            levels=_null(_list(_enum(Level))),
        ),
        "target": _object(
            "one target in force, with its provenance",
            id=_STR,
            indicator=_STR,
            name=_TEXT,
            plan_wording=_null(_BOOL),
            kind=_null(_enum(IndicatorKind)),
            evaluation=_null({"type": "string", "enum": ["evaluated", "direction", "recorded"]}),
            needs=_null(_TEXT),
            comparator=_enum(Comparator),
            value=_null(_NUM),
            unit=_STR,
            unit_label=_TEXT,
            year=_INT,
            year_stated=_BOOL,
            baseline=_null(
                _object(
                    "the baseline, with the scope it is of and where it is stated",
                    year=_INT,
                    value=_null(_NUM),
                    scope=_STR,
                    citation=_null(_ref("citation")),
                )
            ),
            milestones=_BOOL,
            region_share=_null(_NUM),
            attribute=_enum(Attribute),
            levels=_list(_enum(Level)),
            scope=_enum(Scope),
            strength=_enum(Strength),
            citation=_ref("citation"),
            note=_null(_TEXT),
            loosened=_BOOL,
            provenance=_list(_ref("step")),
        ),
        "community": _object(
            "the community assessed",
            code=_STR,
            name=_STR,
            kind=_enum(CommunityKind),
        ),
    }


def _document(kind: str, title: str, defs: dict[str, Any], **fields: Any) -> dict[str, Any]:
    document = _object(
        title,
        schema_version={"type": "string", "const": SCHEMA_VERSION},
        kind={"type": "string", "const": kind},
        **fields,
    )
    document["title"] = f"cssp {kind} document (schema version {SCHEMA_VERSION})"
    document["$defs"] = defs
    return document


def _assessment_body() -> dict[str, Any]:
    return {
        "community": _ref("community"),
        "summary": _ref("summary"),
        "findings": _list(_ref("finding")),
    }


def report_schema() -> dict[str, Any]:
    """A region report: ``cssp evaluate --format json`` and ``POST /v1/evaluate``."""
    defs = _shared()
    body = _assessment_body()
    defs["region"] = _object(
        "one region's findings",
        code=_STR,
        name=_null(_STR),
        level=_STR,
        communities=_list(_STR),
        townships=_list(_STR),
        summary=_ref("summary"),
        findings=_list(_ref("finding")),
    )
    defs["assessed"] = _object("one community's findings", region=_STR, **body)
    defs["township_assessed"] = _object(
        "one township record's findings (township-level targets)",
        township=_object("the township record", code=_STR, name=_STR),
        region=_STR,
        summary=_ref("summary"),
        findings=_list(_ref("finding")),
    )
    document = _document(
        "region_report",
        "a region report: every region's findings, and every community's unless left out",
        defs,
        plan=_ref("plan"),
        year=_INT,
        by=_STR,
        profiles=_list(_object("a profile applied", id=_STR, scope=_STR, source=_STR)),
        summary=_object(
            "counts over the whole report",
            regions=_INT,
            communities=_INT,
            communities_failing=_INT,
            townships=_INT,
            region_findings=_ref("summary"),
        ),
        regions=_list(_ref("region")),
        input=_object(
            "what reading the input said (present when it said something)",
            skipped=_list(
                _object(
                    "a row skipped (--skip-invalid), with every problem found in it",
                    where=_STR,
                    problems=_list(_object("one problem", where=_STR, message=_STR)),
                )
            ),
            warnings=_list(
                _object(
                    "a warning (the first ones of each kind, in input order)",
                    where=_STR,
                    message=_STR,
                    kind=_STR,
                )
            ),
            warnings_left_out=_list(
                _object(
                    "how many more warnings of a kind there were, beyond those listed",
                    kind=_STR,
                    count=_INT,
                )
            ),
            resolved=_list(
                _object(
                    "a code found from place names",
                    where=_STR,
                    names=_list(_STR),
                    code=_STR,
                    path=_list(_STR),
                )
            ),
        ),
        communities=_list(_ref("assessed")),
        townships=_list(_ref("township_assessed")),
    )
    document["required"].remove("communities")  # left out by --no-communities
    document["required"].remove("townships")  # only with township records
    document["required"].remove("input")  # only when reading said something
    return document


def compact_report_schema() -> dict[str, Any]:
    """Every community's findings, compact: ``cssp evaluate --format json-compact``."""
    defs = _shared()
    report = report_schema()
    statuses = _enum(Status)
    number = _null(_NUM)
    index = _null(_INT)
    finding = {
        "type": "array",
        "description": "[target, status, observed, required, reason]",
        "prefixItems": [_INT, statuses, number, number, index],
        "minItems": 5,
        "maxItems": 5,
    }
    counts = _null({"type": "array", "items": _INT, "minItems": 4, "maxItems": 4})
    region_finding = {
        "type": "array",
        "description": "[target, status, observed, required, reason, counts, numerator, "
        "denominator, failing]",
        "prefixItems": [_INT, statuses, number, number, index, counts, number, number, _list(_STR)],
        "minItems": 9,
        "maxItems": 9,
    }
    by_status = _object("a sentence for each status", **{s.value: _STR for s in Status})
    target = dict(defs["target"])
    target["properties"] = {
        **target["properties"],
        "kind": _STR,
        "level": _enum(Level),
        "explanation": _object("the explanations, by language", zh=by_status, en=by_status),
    }
    target["required"] = sorted(target["properties"])
    defs["compact_target"] = target
    properties = report["properties"]
    document = _document(
        "compact_report",
        "each community's findings as short arrays, each target stated once, and the regions",
        defs,
        communities=_list(
            _object(
                "one community's findings",
                code=_STR,
                name=_STR,
                kind=_enum(CommunityKind),
                findings=_list(finding),
            )
        ),
        targets=_list(_ref("compact_target")),
        reasons=_list(_TEXT),
        plan=_ref("plan"),
        year=_INT,
        by=_STR,
        profiles=properties["profiles"],
        summary=properties["summary"],
        regions=_list(
            _object(
                "one region's findings",
                code=_STR,
                name=_null(_STR),
                level=_STR,
                communities=_list(_STR),
                findings=_list(region_finding),
            )
        ),
        input=properties["input"],
    )
    document["required"].remove("input")  # only when reading said something
    return document


def assessment_schema() -> dict[str, Any]:
    """One community's assessment (``cssp.report.render_assessment(..., "json")``)."""
    return _document(
        "assessment",
        "one community's findings",
        _shared(),
        plan=_ref("plan"),
        year=_INT,
        **_assessment_body(),
    )


def targets_schema() -> dict[str, Any]:
    """The targets in force: ``cssp targets --format json`` and ``GET /v1/targets``."""
    defs = _shared()
    return _document(
        "targets",
        "the targets in force for a division code, with provenance",
        defs,
        plan=_ref("plan"),
        code=_STR,
        divisions=_list(_object("an enclosing division", code=_STR, name=_null(_STR))),
        profiles=_list(
            _object(
                "a profile in the chain",
                id=_STR,
                scope=_STR,
                source=_STR,
                title=_TEXT,
                issuer=_STR,
                document=_STR,
                reported_by=_STR,
                reported=_null(_ref("reported")),
            )
        ),
        staffing=_null(
            _object(
                "the staffing rule in force",
                description=_TEXT,
                applies_to=_enum(Scope),
                citation=_ref("citation"),
            )
        ),
        loosened=_list(_STR),
        targets=_list(_ref("target")),
    )


def programmes_schema() -> dict[str, Any]:
    """The programmes: ``cssp programmes --format json`` and ``GET /v1/programmes``."""
    defs = _shared()
    programme = _object(
        "one programme item",
        id=_STR,
        column=_STR,
        item=_null(_INT),
        title=_TEXT,
        summary=_null(_TEXT),
        citation=_ref("citation"),
        targets=_list(_STR),
    )
    group = _object(
        "a programme column (专栏2–6)",
        column=_STR,
        kind=_STR,
        title=_TEXT,
        citation=_ref("citation"),
        programmes=_list(programme),
    )
    return _document(
        "programmes", "the plan's programmes", defs, plan=_ref("plan"), groups=_list(group)
    )


def plans_schema() -> dict[str, Any]:
    """The plans cssp ships: ``GET /v1/plans``."""
    defs = _shared()
    return _document("plans", "the plans cssp ships", defs, plans=_list(_ref("plan")))


def plugins_schema() -> dict[str, Any]:
    """The plugins a service loaded: ``GET /v1/plugins``."""
    plugin = _object(
        "a plugin, or a profile file given with --profile",
        name=_STR,
        distribution=_STR,
        version=_STR,
        kind=_STR,
        source=_STR,
        profiles=_list(_STR),
        scopes=_list(_STR),
    )
    return _document("plugins", "the plugins loaded at start", {}, plugins=_list(plugin))


def request_schema() -> dict[str, Any]:
    """The body of ``POST /v1/evaluate``."""
    from cssp.schemas.generated import community_schema  # noqa: PLC0415 - same unit

    community = community_schema()
    defs = community.pop("$defs")
    community.pop("title")
    return {
        "title": "cssp evaluation request (POST /v1/evaluate)",
        "type": "object",
        "properties": {
            "plan": {"type": "string", "default": "fyp14", "description": "fyp14 or fyp13"},
            "year": {
                "anyOf": [_INT, {"type": "null"}],
                "description": "the year to evaluate for (default: the plan's target year)",
            },
            "by": {
                "type": "string",
                "enum": ["nation", "province", "prefecture", "county", "township"],
                "default": "county",
            },
            "communities": {"type": "array", "items": {"$ref": "#/$defs/community"}},
            "no_communities": {
                "type": "boolean",
                "default": False,
                "description": "regions only (cssp evaluate --no-communities)",
            },
            "no_members": {
                "type": "boolean",
                "default": False,
                "description": "no lists of communities (cssp evaluate --no-members)",
            },
        },
        "required": ["communities"],
        "additionalProperties": False,
        "$defs": {"community": community, **defs},
    }


def problem_schema() -> dict[str, Any]:
    """A problem document (RFC 9457) of the service."""
    error = {
        "type": "object",
        "description": "one located error: in the body (pointer and path) or a query parameter",
        "properties": {
            "pointer": {
                "type": "string",
                "description": "a JSON Pointer into the body, as a fragment",
            },
            "path": {"type": "string", "description": "cssp's path: communities[3].households"},
            "parameter": {"type": "string", "description": "the query parameter"},
            "detail": _STR,
        },
        "required": ["detail"],
    }
    document = _object(
        "what went wrong, with every located error",
        type=_STR,
        title=_STR,
        status=_INT,
        detail=_STR,
        errors=_list(error),
    )
    document["title"] = "cssp problem document (RFC 9457)"
    return document
