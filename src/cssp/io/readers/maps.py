"""Column maps: a table's own headers and words, mapped to cssp's columns and values.

A ledger from another system keeps its headers (``admin_code_12``,
``户数(户)``) and its words (``城市社区``); a column map says which of cssp's
columns each header is, and what its words mean, without editing the file.
It is a TOML file, a mapping, or a :class:`ColumnMap`::

    [columns]                 # cssp's column = the header in the file
    code = "admin_code_12"
    households = "户数(户)"

    [values]                  # optional: a column's own words, as cssp's
    kind = { "城市社区" = "urban", "农村社区" = "rural" }

    [options]
    unknown_columns = "ignore"   # or "error", the default
    encoding = "gb18030"         # optional

The public names are documented, and exported, by :mod:`cssp.io.readers`.
"""

from __future__ import annotations

import os
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from cssp.errors import InputError
from cssp.io.readers.columns import map_keys, suggest
from cssp.model.convert import load_toml, utf8_text
from cssp.plugins import COLUMN_MAP_NAME, packaged_column_map

# The sections of a map and the keys of its options.
_SECTIONS: Final = ("columns", "values", "options")
_OPTIONS: Final = ("unknown_columns", "encoding")
_UNKNOWN_COLUMNS: Final = ("error", "ignore")


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return types.MappingProxyType(dict(value))


def _frozen_words(value: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return types.MappingProxyType({key: _frozen(words) for key, words in value.items()})


@attrs.frozen
class ColumnMap:
    """How to read a table whose headers and words are its own.

    :param columns: cssp's column name (``code``, ``households``, a service's
        name, ``extra.NAME``, a place column such as ``township``) → the header
        of that column in the file.
    :param values: a column's own words → cssp's word for them, by column
        (``{"kind": {"城市社区": "urban"}}``): a cell whose text (stripped) is
        one of the words is read as cssp's word.
    :param unknown_columns: ``"error"`` (the default): a header neither mapped
        nor documented is an error; ``"ignore"``: such a column is skipped
        (and said to be).
    :param encoding: the text encoding of the files read with the map, unless
        one is given to the reader.
    :param source: where the map came from (a file, a plugin), for messages.
    """

    columns: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen)
    values: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict, converter=_frozen_words)
    unknown_columns: str = "error"
    encoding: str | None = None
    source: str = ""

    def __attrs_post_init__(self) -> None:
        where = self.source or "the column map"
        if self.unknown_columns not in _UNKNOWN_COLUMNS:
            raise InputError(
                f"unknown_columns is 'error' or 'ignore', not {self.unknown_columns!r}",
                f"{where}: options.unknown_columns",
            )
        headers: dict[str, str] = {}
        for key, header in self.columns.items():
            if not isinstance(header, str) or not header.strip():
                raise InputError(
                    f"{header!r} is not a header: write the header of the column in your file, "
                    f'such as {key} = "户数(户)"',
                    f"{where}: columns.{key}",
                )
            problem = _key_problem(key)
            if problem is not None:
                raise InputError(problem, f"{where}: columns.{key}")
            other = headers.setdefault(header.strip(), key)
            if other != key:
                raise InputError(
                    f"the header {header!r} is mapped to both {other!r} and {key!r}",
                    f"{where}: columns.{key}",
                )
        for key, words in self.values.items():
            problem = _key_problem(key)
            if problem is not None:
                raise InputError(problem, f"{where}: values.{key}")
            for word, meaning in words.items():
                if not isinstance(meaning, str):
                    raise InputError(
                        f"{meaning!r} is not a word: map each of the column's words to text, "
                        'such as "城市社区" = "urban"',
                        f"{where}: values.{key}.{word}",
                    )


def _key_problem(key: str) -> str | None:
    """What is wrong with a cssp column name in a map, or ``None``."""
    if key in map_keys() or (key.startswith("extra.") and key[len("extra.") :].isidentifier()):
        return None
    close = suggest(key, map_keys())
    hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
    return (
        f"{key!r} is not one of cssp's columns{hint}: the names are those of the column "
        "table (code, households, facility_floor_area ...), a service's name, extra.NAME, "
        "or a place (province, prefecture, county, township)"
    )


def load_column_map(source: ColumnMap | Mapping[str, Any] | str | os.PathLike[str]) -> ColumnMap:
    """A :class:`ColumnMap` from a TOML file, a mapping of its sections, or a map.

    ``plugin:map`` (``gansu:ledger``), when no such file exists, is a map an
    installed plugin ships for its province's standard forms
    (:func:`cssp.plugins.packaged_column_map`).

    >>> m = load_column_map({"columns": {"code": "admin_code_12"}})
    >>> dict(m.columns), m.unknown_columns
    ({'code': 'admin_code_12'}, 'error')

    :raises ~cssp.errors.InputError: for a file that cannot be read or is not
        TOML, an unknown section or option, a name that is not cssp's column,
        a header mapped twice, a bad option value; located in the map.
    """
    if isinstance(source, ColumnMap):
        return source
    if isinstance(source, Mapping):
        return _from_mapping(source, "the column map")
    name = os.fspath(source)
    if COLUMN_MAP_NAME.match(name) and not Path(name).exists():  # plugin:map
        text, where = packaged_column_map(name)
        return _from_mapping(_parse(text, where), where)
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the column map: {error.strerror or error}", name) from None
    return _from_mapping(_parse(utf8_text(data, name), name), name)


def _parse(text: str, where: str) -> dict[str, Any]:
    return load_toml(text, where)


def _from_mapping(document: Mapping[str, Any], where: str) -> ColumnMap:
    unknown = sorted(set(document) - set(_SECTIONS))
    if unknown:
        raise InputError(
            f"unknown section {unknown[0]!r}: a column map has [columns], [values] and [options]",
            where,
        )
    sections = {}
    for section in _SECTIONS:
        value = document.get(section, {})
        if not isinstance(value, Mapping):
            raise InputError(
                f"[{section}] must be a table of keys and values", f"{where}: {section}"
            )
        sections[section] = value
    for key, words in sections["values"].items():
        if not isinstance(words, Mapping):
            raise InputError(
                "each entry of [values] is a table of words, "
                'such as kind = { "城市社区" = "urban" }',
                f"{where}: values.{key}",
            )
    options = sections["options"]
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise InputError(
            f"unknown option {unknown[0]!r}: the options are {', '.join(_OPTIONS)}",
            f"{where}: options",
        )
    encoding = options.get("encoding")
    if encoding is not None and not isinstance(encoding, str):
        raise InputError(f"{encoding!r} is not an encoding's name", f"{where}: options.encoding")
    return ColumnMap(
        columns=sections["columns"],
        values=sections["values"],
        unknown_columns=options.get("unknown_columns", "error"),
        encoding=encoding,
        source=where,
    )
