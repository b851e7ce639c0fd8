"""The schemas generated from the model: a community record, and a profile file.

Each walks attrs classes — their fields, resolved types and defaults — so a
field added to :class:`~cssp.model.community.Community` or to the profile
file's layout (:data:`cssp.rules.toml.PROFILE_LAYOUT`) is in its schema
without anyone writing it down twice.
"""

from __future__ import annotations

import datetime
import enum
import types
import typing
from collections.abc import Mapping
from typing import Any, Final

import attrs

from cssp.model.community import KIND_WORDS, Community, Facility, Staff
from cssp.model.measures import FACILITY_FIELDS, FIELDS
from cssp.model.schema import FIELD_RULES
from cssp.rules.toml import PROFILE_LAYOUT

__all__ = ["communities_schema", "community_schema", "profile_schema"]

_NULL: Final = {"type": "null"}

#: What the fields of the community model say, beyond their type.
_TEXTS: Final = {
    "code": "统计用区划代码 — the 12-digit statistical division code",
    "name": "名称 — the community's (or facility's) name",
    "kind": "类型 — urban (城市社区) or rural (农村社区); inferred from the code when left out",
    "facilities": "服务设施 — the service facilities; null when unknown, [] when there are none",
    "staff": "工作人员 — the community's staff",
    "services": "服务 — the services present; null when unknown",
    "resettlement": "易地扶贫搬迁集中安置社区 — a relocation resettlement community",
    "old_residential_area": "城镇老旧小区 — an old urban residential area",
    "newly_built": "新建社区 — a newly built community",
    "extra": "further measured values by name, for indicators a province profile adds",
}


def _unit_of(cls: type, name: str) -> str:
    """The canonical unit of a numeric field of the model, from the measures' vocabulary."""
    if cls is Facility:
        for key, declared in FACILITY_FIELDS.items():
            if declared.attribute == name:
                return FIELDS[key].unit
        return "dimensionless"
    key = f"staff.{name}" if cls is Staff else name
    return FIELDS[key].unit


def _label(cls: type, name: str) -> str:
    key = f"staff.{name}" if cls is Staff else name
    if key in FIELDS:
        return f"{FIELDS[key].zh} — {FIELDS[key].en}"
    return name.replace("_", " ")


def _quantity(cls: type, name: str) -> dict[str, Any]:
    """A measured value: a number in the field's unit, a text with a unit, or value and unit."""
    rule = FIELD_RULES[name]
    unit = _unit_of(cls, name)
    number: dict[str, Any] = {"type": "integer" if rule.whole else "number", "minimum": 0}
    if rule.most is not None:
        number["maximum"] = rule.most
    whole = "; a whole number" if rule.whole else ""
    return {
        "description": f"{_label(cls, name)}, in {unit}{whole}",
        "anyOf": [
            number,
            {
                "type": "string",
                "description": "a number with its unit, as a Chinese spreadsheet writes it: "
                "'420平方米', '420 m^2', '1.2万人'",
            },
            {
                "type": "object",
                "properties": {"value": {"type": "number"}, "unit": {"type": "string"}},
                "required": ["value", "unit"],
                "additionalProperties": False,
            },
            _NULL,
        ],
    }


def _model_field(cls: type, field: attrs.Attribute[Any], hint: Any) -> dict[str, Any]:
    name = field.name
    if name in FIELD_RULES:
        return _quantity(cls, name)
    described = {"description": _TEXTS[name]} if name in _TEXTS else {}
    if name == "code":
        text = {"type": "string", "pattern": "^[0-9]{12}$"}
        return {**described, "anyOf": [text, {"type": "integer", "minimum": 0}]}
    if name == "kind" and cls is Community:
        values = [kind.value for kind in hint]
        words = sorted({*values, *KIND_WORDS})
        # any case, and spaces around: what the model reads
        either = "|".join("".join(f"[{c.upper()}{c}]" for c in value) for value in values)
        loose = {"type": "string", "pattern": f"^\\s*({either}|{'|'.join(KIND_WORDS)})\\s*$"}
        return {**described, "anyOf": [{"type": "string", "enum": words}, loose, _NULL]}
    return {**described, **_type(hint, name)}


def _type(hint: Any, name: str = "") -> dict[str, Any]:
    """The schema of a Python type of the model or a profile file."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [_type(arg) for arg in args]
        return options[0] if len(options) == 1 else {"anyOf": options}
    if hint is type(None):
        return _NULL
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is str:
        return {"anyOf": [{"type": "string"}, {"type": "number"}]}
    if hint is datetime.date:
        return {"type": "string", "format": "date"}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"type": "string", "enum": [member.value for member in hint]}
    if isinstance(hint, type) and attrs.has(hint):
        return {"$ref": f"#/$defs/{_def_name(hint)}"}
    if origin in (list, tuple, frozenset, set):
        return {"type": "array", "items": _type(args[0])}
    if origin in (Mapping, dict) or hint is Mapping:
        return {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
            "additionalProperties": {"anyOf": [{"type": "number"}, {"type": "string"}]},
        }
    raise TypeError(f"no JSON Schema for {hint!r} ({name})")  # a new kind of field: add it


def _def_name(cls: type) -> str:
    return cls.__name__.lstrip("_").removesuffix("Entry").removesuffix("File").lower()


def _object(cls: type, field_schema: Any) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties = {f.name: field_schema(cls, f, hints[f.name]) for f in attrs.fields(cls)}
    required = [f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING]
    document: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        document["required"] = required
    if cls.__doc__:
        document["description"] = cls.__doc__.strip().splitlines()[0]
    return document


def _model_object(cls: type) -> dict[str, Any]:
    return _object(cls, _model_field)


def community_schema() -> dict[str, Any]:
    """One community record, generated from the model."""
    document = _model_object(Community)
    document["title"] = "cssp community (one record of JSON, JSON Lines or TOML)"
    document["$defs"] = {
        "facility": _model_object(Facility),
        "staff": _model_object(Staff),
    }
    properties = document["properties"]
    properties["facilities"] = {
        "description": _TEXTS["facilities"],
        "anyOf": [{"type": "array", "items": {"$ref": "#/$defs/facility"}}, _NULL],
    }
    properties["staff"] = {
        "description": _TEXTS["staff"],
        "anyOf": [{"$ref": "#/$defs/staff"}, _NULL],
    }
    facility_kind = document["$defs"]["facility"]["properties"]["kind"]
    facility_kind["enum"] = [*facility_kind["enum"], "综合服务设施", "商业设施", "其他"]
    return document


def communities_schema() -> dict[str, Any]:
    """A JSON or TOML document of communities."""
    inline = community_schema()
    defs = inline.pop("$defs")
    inline.pop("title")
    items = {"type": "array", "items": {"$ref": "#/$defs/community"}}
    return {
        "title": "cssp communities (a JSON or TOML document)",
        "anyOf": [
            items,
            {
                "type": "object",
                "properties": {
                    "communities": items,
                    "schema_version": {"type": "integer", "const": 1},
                },
                "required": ["communities"],
                "additionalProperties": False,
            },
        ],
        "$defs": {"community": inline, **defs},
    }


def _profile_field(cls: type, field: attrs.Attribute[Any], hint: Any) -> dict[str, Any]:
    return _type(field.metadata.get("layout", hint), field.name)


def _layouts(cls: type) -> list[Any]:
    """The types of a profile file class's fields, as its file may hold them."""
    hints = typing.get_type_hints(cls)
    return [f.metadata.get("layout", hints[f.name]) for f in attrs.fields(cls)]


def profile_schema() -> dict[str, Any]:
    """A data-only profile file (TOML), generated from the classes its reader structures."""
    defs: dict[str, Any] = {}
    pending: list[type] = [PROFILE_LAYOUT]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        defs[_def_name(cls)] = _object(cls, _profile_field)
        for hint in _layouts(cls):
            for inner in (hint, *typing.get_args(hint)):
                for leaf in (inner, *typing.get_args(inner)):
                    if isinstance(leaf, type) and attrs.has(leaf):
                        pending.append(leaf)
    document: dict[str, Any] = defs.pop(_def_name(PROFILE_LAYOUT))
    document["title"] = "cssp province profile (a data-only TOML file)"
    document["description"] = (
        "A province's, city's or county's targets, indicators and staffing standard; "
        "see the how-to 'Write a province plugin'."
    )
    document["properties"]["schema"] = {"type": "integer", "const": 1}
    document["$defs"] = defs
    return document
