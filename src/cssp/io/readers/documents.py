"""Document formats: JSON, JSON Lines and TOML, structured by cssp's one cattrs converter.

A JSON or TOML file holds a list of communities, or ``{"communities": [...]}``
with an optional ``"schema_version"``; a JSON Lines file, one community per
line. Each record goes through :func:`cssp.io.structure`, as the sample data
does, and every record's problems are collected with their location
(``data.json: communities[3].facilities[0].floor_area``, ``data.jsonl: line 4:
households``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from cssp.errors import InputError
from cssp.io.readers.problems import _Found, _Problems
from cssp.model.community import Community
from cssp.model.convert import TOO_DEEP, load_toml, structure
from cssp.units import underflows

# The version of the JSON and TOML layout (documented as cssp.io.readers.SCHEMA_VERSION).
SCHEMA_VERSION: Final = 1


def _read_json(name: str, text: str, problems: _Problems) -> _Found:
    return _read_document(name, _parse_json(name, text), problems)


def _read_toml(name: str, text: str, problems: _Problems) -> _Found:
    return _read_document(name, _parse_toml(name, text), problems)


def _read_document(name: str, document: object, problems: _Problems) -> _Found:
    """The communities of a parsed JSON or TOML document, each structured by the converter."""
    records = _document_records(document, name)
    return _structure_records(records, problems, lambda index: f"{name}: communities[{index}]")


def _parse_json(name: str, text: str) -> object:
    twice: dict[int, str] = {}
    try:
        document = json.loads(text, object_pairs_hook=_pairs(twice), parse_float=_json_float)
    except json.JSONDecodeError as error:
        raise InputError(
            f"not valid JSON: {error.msg}", f"{name}: line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise InputError(TOO_DEEP, name) from None
    except ValueError as error:  # an integer of more than 4300 digits
        raise InputError(f"not valid JSON: {error}", name) from None
    if twice:
        path, key = _first_twice(document, twice)
        path = f"communities{path}" if path.startswith("[") else path  # as records are located
        where = f"{name}: {path}" if path else name
        raise InputError(_twice_message(key), where)
    return document


def _json_float(text: str) -> float | str:
    """A JSON (or TOML) number; one too small to hold (``1e-400``) stays text, which the field's
    reading refuses with its location (as a float it would be 0, silently)."""
    number = float(text)
    return text if number == 0.0 and underflows(text) else number


def _pairs(twice: dict[int, str]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """A JSON object hook that keeps every object, noting (by id) one that has a key twice."""

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        made = dict(pairs)
        if len(made) < len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    twice[id(made)] = key
                    break
                seen.add(key)
        return made

    return build


def _first_twice(document: object, twice: Mapping[int, str], path: str = "") -> tuple[str, str]:
    """Where, in the parsed document, the first object with a key twice is, and the key."""
    stack: list[tuple[object, str]] = [(document, path)]
    found: list[tuple[str, str]] = []
    while stack:
        value, at = stack.pop()
        if isinstance(value, dict):
            if id(value) in twice:
                found.append((at, twice[id(value)]))
                continue
            stack.extend((v, f"{at}.{k}" if at else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{at}[{i}]") for i, v in enumerate(value))
    return min(found, key=lambda item: _order(item[0])) if found else ("", "")


def _order(path: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"[\[\].]+", path) if part]


def _twice_message(key: str) -> str:
    return (
        f"the key {key!r} appears twice in one object: JSON readers keep only the last "
        "value, so cssp refuses it (as TOML does); keep one"
    )


def _parse_toml(name: str, text: str) -> object:
    return load_toml(text, name, parse_float=_json_float)


def _document_records(document: object, name: str) -> list[object]:
    """The list of community records of a parsed JSON or TOML document."""
    if isinstance(document, Mapping):
        unknown = sorted(set(document) - {"communities", "schema_version"})
        if unknown:
            raise InputError(
                f"unknown key {unknown[0]!r}: the file has 'communities' "
                "(a list) and optionally 'schema_version'",
                name,
            )
        version = document.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise InputError(
                f"schema_version {version!r} is not one this cssp reads ({SCHEMA_VERSION})",
                f"{name}: schema_version",
            )
        if "communities" not in document:
            raise InputError("there is no 'communities' list", name)
        records = document["communities"]
        if not isinstance(records, list):
            raise InputError(
                f"expected a list of communities, got {_describe(records)}", f"{name}: communities"
            )
    elif isinstance(document, list):
        records = document
    else:
        raise InputError(
            "expected a list of communities, or an object with a 'communities' list; "
            f"got {_describe(document)}",
            name,
        )
    if not records:
        raise InputError("the file has no communities", name)
    return records


def _describe(value: object) -> str:
    names = {
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }
    kind = names.get(type(value), type(value).__name__)
    return f"{kind} ({_shorten(repr(value))})" if kind != "null" else kind


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _subpath(root: str, separator: str) -> Callable[[str], str]:
    def locate(path: str) -> str:
        if not path:
            return root
        return f"{root}{path}" if path.startswith("[") else f"{root}{separator}{path}"

    return locate


def _structure_records(
    records: Sequence[object], problems: _Problems, root: Callable[[int], str]
) -> _Found:
    """Structure each record with cssp's converter, collecting every record's problems."""
    found = _Found()
    wheres: list[str] = []
    rows: list[str] = []
    found.locate = wheres.__getitem__
    found.row = rows.__getitem__
    for index, record in enumerate(records):
        locate = _subpath(root(index), ".")
        community = _structure_one(record, locate, problems)
        if community is not None:
            found.communities.append(community)
            wheres.append(locate("code"))
            rows.append(root(index))
    return found


def _structure_one(
    record: object, locate: Callable[[str], str], problems: _Problems
) -> Community | None:
    shape = _shape_problem(record)
    if shape is not None:
        problems.add(locate(shape[0]), shape[1], row=locate(""))
        return None
    try:
        return structure(record, Community)
    except InputError as error:
        problems.add_error(error, locate, row=locate(""))
        return None


def _shape_problem(record: object) -> tuple[str, str] | None:
    """A record that is not shaped as a community, with where (the converter's message is terse)."""
    if not isinstance(record, Mapping):
        return "", f"expected a community (an object with a code), got {_describe(record)}"
    facilities = record.get("facilities")
    if isinstance(facilities, list):
        for index, facility in enumerate(facilities):
            if not isinstance(facility, Mapping):
                return (
                    f"facilities[{index}]",
                    f"expected a facility (an object with kind and floor_area), "
                    f"got {_describe(facility)}",
                )
    staff = record.get("staff")
    if staff is not None and not isinstance(staff, Mapping):
        return "staff", f"expected an object of staff counts, got {_describe(staff)}"
    return None


def _read_jsonl(name: str, text: str, problems: _Problems) -> _Found:
    found = _Found()
    wheres: list[str] = []
    rows: list[str] = []
    found.locate = wheres.__getitem__
    found.row = rows.__getitem__
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        root = f"{name}: line {number}"
        twice: dict[int, str] = {}
        try:
            record = json.loads(line, object_pairs_hook=_pairs(twice), parse_float=_json_float)
        except json.JSONDecodeError as error:
            problems.add(root, f"not valid JSON (at column {error.colno}): {error.msg}", row=root)
            continue
        except RecursionError:
            problems.add(root, TOO_DEEP, row=root)
            continue
        except ValueError as error:  # an integer of more than 4300 digits
            problems.add(root, f"not valid JSON: {error}", row=root)
            continue
        locate = _subpath(root, ": ")
        if twice:
            path, key = _first_twice(record, twice)
            problems.add(locate(path), _twice_message(key), row=root)
            continue
        community = _structure_one(record, locate, problems)
        if community is not None:
            found.communities.append(community)
            wheres.append(locate("code"))
            rows.append(root)
    return found
