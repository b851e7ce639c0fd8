"""Fuzzing the readers: every input is valid communities or one located InputError.

Hypothesis generates community records and whole files, structurally valid and
not: JSON documents, JSON Lines, TOML, CSV and TSV with Chinese and English
headers, units in headers and cells, in UTF-8, UTF-8 with a BOM, UTF-16 and
GB18030, truncated, as random bytes, with wrong types, nested garbage, huge
numbers, NaN and infinity written out, full-width digits, duplicate headers
and duplicate codes. The property is the promise of ``SECURITY.md``:

* reading either returns :class:`cssp.Community` objects, which are then
  written as JSON and read back unchanged (nothing lost); or
* it raises :class:`cssp.InputError` (or its subclass :class:`cssp.UnitError`)
  located in the input: a non-empty :attr:`~cssp.InputError.path`, naming the
  file, and a location for every problem listed.

Any other exception (``KeyError``, ``RecursionError``, ``OverflowError``,
``UnicodeError`` ...) fails the test, as does a hang (the CI profile has no
deadline; the tests' own timeout catches that).

The default profiles (``dev``, ``ci``) run a few hundred inputs in a few
seconds; ``make fuzz`` runs this file with the ``fuzz`` profile (5,000 examples
per test). Each fuzz test counts its inputs (the ``fuzz_inputs_tried`` fixture
of ``conftest.py``); the last test checks that each tried at least its
examples, and the run ends with the counts (``pytest_terminal_summary``)::

    fuzz_readers: 301 inputs tried (documents: 51, files: 50, not records: 50, ...)
"""

from __future__ import annotations

import codecs
import collections
import csv
import io
import json
import math
import pathlib
from collections.abc import Sequence
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cssp import Community, InputError, Service, UnitError
from cssp import testing as cst
from cssp.io import communities_to_json, read_communities, structure_communities, unstructure
from cssp.io.readers import COLUMNS, HEADER_ALIASES
from cssp.units import ratio_scale, threshold_in

# The bounded profiles (dev: 100, ci: 200) run half their examples here, so the
# file stays within a few seconds; the fuzz profile (5,000) runs all of its own.
_EXAMPLES: Final = (
    settings().max_examples
    if settings().max_examples >= 1000
    else max(25, settings().max_examples // 2)
)
_FUZZ: Final = settings(
    max_examples=_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


# --- values ------------------------------------------------------------------------------

_UNITS: Final = (
    "m²",
    "m^2",
    "m**2",
    "平方米",
    "㎡",
    "亩",
    "km²",
    "公顷",
    "户",
    "百户",
    "人",
    "名",
    "万人",
    "%",
    "％",
    "h/day",
    "小时/天",
    "小时",
    "kg",
    "m",
    "间",
    "person",
    "household",
    "hour / day",
    "m²/户",
    "1/0",
    "**",
    "m**9**9**9",
    "(9*9)**(9*9)**(9*9)",
    "inf",
    "nan",
    "1e400 m²",
    "",
    " ",
)
_SPECIAL_NUMBERS: Final = (
    "NaN",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "1e-400",
    "1e308",
    "-0",
    "0",
    "1,200",
    "1,2,3",
    "12,00",
    "１２００",  # full-width digits
    "１，２００",
    "１２．５",
    "1.5万",
    "0.07万",
    "٣",  # an Arabic-Indic digit
    "0x10",
    "1_000",
    "1e5",
    "+",
    "-",
    ".",
    "",
    " ",
)
_SURROGATES: Final = ("\ud800", "a\udfffb", "\udc80")

_number_texts = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(repr),
    st.floats(min_value=0, max_value=1e6).map(lambda x: f"{x:.2f}"),
    st.sampled_from(_SPECIAL_NUMBERS),
    st.sampled_from((309, 400, 4301, 5000)).map(lambda digits: "9" * digits),
)
_quantity_texts = st.builds(
    lambda number, space, unit: f"{number}{space}{unit}",
    _number_texts,
    st.sampled_from(("", " ", "\t", "\u3000")),
    st.sampled_from(_UNITS),
)
_texts = st.one_of(st.text(max_size=12), st.sampled_from(_SURROGATES))
_huge_integers = st.one_of(
    st.integers(),
    st.sampled_from((63, 64, 308, 309, 400)).map(lambda power: 2**power),
    st.sampled_from((308, 309, 400)).map(lambda power: -(10**power)),
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    _huge_integers,
    st.floats(),  # NaN and infinities included
    _texts,
    _number_texts,
    _quantity_texts,
)
# What JSON can hold: scalars, lists and objects, nested.
# (deferred: hypothesis's statistics then name these strategies in a few words)
_json_values = st.recursive(
    st.deferred(lambda: _scalars),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_texts, inner, max_size=3),
    max_leaves=8,
)
_quantity_mappings = st.fixed_dictionaries(
    {"value": _scalars}, optional={"unit": st.one_of(st.sampled_from(_UNITS), _scalars)}
) | st.dictionaries(st.sampled_from(("value", "unit", "magnitude")), _scalars, max_size=3)


class _Odd:
    """An object of no type cssp knows, with a repr that works."""

    def __repr__(self) -> str:
        return "<odd>"


class _BadRepr:
    """An object whose repr raises: error messages must not depend on it."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


# What a Python caller may pass to structure_communities beyond JSON's types.
_python_values = st.one_of(
    _json_values,
    st.binary(max_size=8),
    st.tuples(_scalars),
    st.frozensets(st.integers(), max_size=3),
    st.dates(),
    st.datetimes(),
    st.decimals(),
    st.complex_numbers(),
    st.builds(_Odd),
    st.just(float("nan")),
    st.just(Service.SELF_SERVICE_KIOSK),
)

_FIELD_VALUES: Final = st.one_of(
    _scalars, _quantity_texts, _quantity_mappings, _json_values, st.sampled_from(("", None))
)


# --- records -------------------------------------------------------------------------------

_valid_records = cst.communities().map(unstructure)
_FIELDS: Final = (
    "code",
    "name",
    "kind",
    "households",
    "population",
    "building_area",
    "facilities",
    "staff",
    "services",
    "resettlement",
    "old_residential_area",
    "newly_built",
    "elderly_monthly_visit_rate",
    "social_organisations",
    "registered_volunteers",
    "extra",
)
_FACILITY_FIELDS: Final = (
    "kind",
    "floor_area",
    "activity_area",
    "office_area",
    "opening_hours",
    "name",
)
_STAFF_FIELDS: Final = (
    "community_workers",
    "social_workers",
    "disaster_information_officers",
    "trained_workers",
)


@st.composite
def _mutated(draw: st.DrawFn, values: st.SearchStrategy[Any] = _FIELD_VALUES) -> Any:
    """A valid record with a few fields replaced, dropped or added."""
    record: dict[str, Any] = draw(_valid_records)
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(("replace", "drop", "add", "facility", "staff", "extra")))
        if action == "replace":
            record[draw(st.sampled_from(_FIELDS))] = draw(values)
        elif action == "drop":
            record.pop(draw(st.sampled_from(_FIELDS)), None)
        elif action == "add":
            record[draw(_texts)] = draw(values)
        elif action == "facility":
            facility = dict(
                draw(st.sampled_from(record.get("facilities") or [{"kind": "comprehensive"}]))
                if isinstance(record.get("facilities"), list)
                and all(isinstance(f, dict) for f in record["facilities"])
                else {"kind": "comprehensive"}
            )
            facility[draw(st.sampled_from(_FACILITY_FIELDS) | _texts)] = draw(values)
            record["facilities"] = [facility, *draw(st.lists(values, max_size=1))]
        elif action == "staff":
            record["staff"] = {draw(st.sampled_from(_STAFF_FIELDS) | _texts): draw(values)}
        else:
            record["extra"] = draw(st.dictionaries(_texts | st.sampled_from(("a", "x_1")), values))
    return record


#: Community records: valid ones, mutated ones, and anything at all.
records = st.one_of(_valid_records, _mutated(), _json_values)


@st.composite
def record_lists(draw: st.DrawFn, items: st.SearchStrategy[Any] = records) -> list[Any]:
    """Lists of records, where some codes may repeat; a third of them all valid."""
    clean = draw(st.integers(0, 2)) == 0
    found: list[Any] = draw(st.lists(_valid_records if clean else items, max_size=5))
    dicts = [r for r in found if isinstance(r, dict) and "code" in r]
    if len(dicts) >= 2 and draw(st.integers(0, 3)) == 0:
        dicts[-1]["code"] = dicts[0]["code"]  # a duplicate code
    return found


_deep: Final = st.integers(min_value=1, max_value=6).map(lambda n: 10**n)


def _nested(depth: int, leaf: object = 1) -> object:
    value: object = leaf
    for _ in range(depth):
        value = [value]
    return value


# --- whole files ------------------------------------------------------------------------

_ENCODINGS: Final = (
    "utf-8",
    "utf-8",
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "gb18030",
    "gb18030",
    "utf-16-le",  # no byte-order mark: not detected, a located decoding error
    "latin-1",
)


def _encode(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``; what cannot be encoded is passed through or replaced."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        errors = "surrogatepass" if encoding.startswith("utf") else "replace"
        try:
            return text.encode(encoding, errors=errors)
        except UnicodeEncodeError:
            return text.encode("utf-8", errors="surrogatepass")


@st.composite
def _bytes_of(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> bytes:
    """A text in some encoding, sometimes cut short or with a stray byte."""
    data = _encode(draw(texts), draw(st.sampled_from(_ENCODINGS)))
    change = draw(st.sampled_from(("none", "none", "none", "truncate", "insert")))
    if change == "truncate" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif change == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    return data


def _json_text(document: object, ascii: bool, indent: int | None) -> str:
    return json.dumps(document, ensure_ascii=ascii, indent=indent)


@st.composite
def json_documents(draw: st.DrawFn) -> object:
    """A JSON document: a list of records, an object with one, or anything."""
    found = draw(record_lists())
    shape = draw(st.sampled_from(("list", "object", "object", "other")))
    if shape == "list":
        return found
    if shape == "other":
        return draw(_json_values)
    document: dict[str, Any] = {"communities": found}
    if draw(st.booleans()):
        document["schema_version"] = draw(st.just(1) | _scalars)
    if draw(st.integers(0, 9)) == 0:
        document[draw(_texts)] = draw(_scalars)
    return document


_json_texts = st.one_of(
    st.builds(_json_text, json_documents(), st.booleans(), st.sampled_from((None, 1))),
    _deep.map(lambda n: "[" * n + "]" * n),
    _deep.map(lambda n: '[{"code": "440106001001", "extra": {"a": ' + "[" * n + "]" * n + "}}]"),
    st.text(max_size=40),
)


def _jsonl_text(lines: Sequence[object], garbage: Sequence[str], blank: bool) -> str:
    text = [json.dumps(line) for line in lines] + list(garbage)
    return ("\n\n" if blank else "\n").join(text)


_jsonl_texts = st.one_of(
    st.builds(
        _jsonl_text,
        record_lists(),
        st.lists(st.text(max_size=10) | _deep.map(lambda n: "[" * n), max_size=2),
        st.booleans(),
    ),
    st.text(max_size=40),
)


def _toml_value(value: object) -> str:
    """A value in TOML (a tiny writer: inline tables and arrays, on one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are TOML's (\\uD800 is refused: good)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{" + ", ".join(items) + "}"
    return '""'


def _toml_text(document: object) -> str:
    if isinstance(document, dict):
        return "\n".join(
            f"{json.dumps(k)} = {_toml_value(v)}" for k, v in document.items() if v is not None
        )
    return f"communities = {_toml_value(document)}"


_toml_texts = st.one_of(
    json_documents().map(_toml_text),
    _deep.map(lambda n: "a = " + "[" * n + "]" * n),
    _deep.map(lambda n: "a = " + "{b = " * n + "1" + "}" * n),
    st.text(max_size=40),
)

# Table headers: the documented columns and their Chinese names, units in
# brackets, notes, remarks, unknown and empty headers, duplicates.
_KNOWN_HEADERS: Final = (
    *COLUMNS,
    *HEADER_ALIASES,
    *(service.value for service in Service),
    *(service.zh for service in Service),
    "extra.childcare_places",
    "extra.1bad",
    "extra.",
    "#备注",
    "备注",
    "序号",
    "建筑面积",
    "面积",
    "楼层",
    "",
)
_BRACKETS: Final = ("({})", "[{}]", "（{}）", "【{}】", " ({})", "(是/否)", "()")

_headers = st.one_of(
    st.sampled_from(_KNOWN_HEADERS),
    st.builds(
        lambda header, bracket, unit: header + bracket.format(unit),
        st.sampled_from(_KNOWN_HEADERS),
        st.sampled_from(_BRACKETS),
        st.sampled_from(_UNITS),
    ),
    _texts,
)
_codes = st.one_of(
    cst.community_codes(),
    cst.community_codes().map(
        lambda code: code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    ),
    cst.community_codes().map(lambda code: f" {code} "),
    cst.community_codes().map(lambda code: f"{float(code):.6e}"),
    cst.community_codes().map(lambda code: code[:-1]),
    st.sampled_from(("440106001001", "440106001001", "999999999999", "44010600100A", "")),
)
_FLAG_WORDS: Final = ("是", "否", "有", "无", "yes", "no", "Y", "N", "1", "0", "√", "×", "也许")
_SERVICE_WORDS: Final = tuple(s.value for s in Service) + tuple(s.zh for s in Service) + ("无",)
_cells = st.one_of(
    _number_texts,
    _quantity_texts,
    st.sampled_from(_FLAG_WORDS),
    st.lists(st.sampled_from(_SERVICE_WORDS), max_size=3).map("、".join),
    st.sampled_from(("城市", "农村", "urban", "rural", "城", "")),
    _codes,
    st.text(max_size=8),
)


def _text_of(number: float, unit: str = "") -> str:
    return f"{number:g}{unit}"


_counts = st.integers(0, 5000)
_areas = st.floats(0, 5000, allow_nan=False).map(lambda x: round(x, 1))
# Plausible columns: each header with cells of the kind it holds (in any notation).
_PLAUSIBLE: Final[dict[str, st.SearchStrategy[str]]] = {
    "name": st.sampled_from(("示例社区", "Test community", "", "12")),
    "户数": _counts.map(str) | _counts.map(lambda n: f"{n:,}户"),
    "常住人口(人)": _counts.map(str) | _counts.map(lambda n: f"{n / 10000:g}万人"),
    "总建筑面积(平方米)": _areas.map(_text_of),
    "综合服务设施面积(平方米)": _areas.map(_text_of) | _areas.map(lambda x: _text_of(x, "㎡")),
    "activity_area[m²]": _areas.map(lambda x: _text_of(x / 2)),
    "office_area": _areas.map(lambda x: _text_of(x / 4, " m^2")),
    "开放时间(小时/天)": st.integers(0, 24).map(str),
    "commercial_floor_area": _areas.map(lambda x: _text_of(x, "平方米")) | st.just(""),
    "有综合服务设施": st.sampled_from(("是", "有", "yes", "")),
    "社区工作者": st.integers(0, 30).map(str),
    "trained_workers": st.integers(0, 5).map(str),
    "social_workers": st.integers(0, 5).map(str),
    "月探访率(%)": st.integers(0, 100).map(str) | st.integers(0, 100).map(lambda n: f"{n}%"),
    "服务项目": st.lists(st.sampled_from(_SERVICE_WORDS[:-1]), max_size=3).map("、".join),
    "5g": st.sampled_from(_FLAG_WORDS[:-1]),
    "老旧小区": st.sampled_from(_FLAG_WORDS[:-1]),
    "extra.childcare_places": st.integers(0, 99).map(str),
    "备注": st.text(max_size=6),
}


@st.composite
def plausible_tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A table much as a civil-affairs office fills it in, with the odd bad cell."""
    columns = draw(st.lists(st.sampled_from(sorted(_PLAUSIBLE)), unique=True, max_size=8))
    code = draw(st.sampled_from(("code", "统计用区划代码", "村(社区)代码")))
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        row = [draw(cst.community_codes())]
        for column in columns:
            row.append(draw(_cells if draw(st.integers(0, 19)) == 0 else _PLAUSIBLE[column]))
        rows.append(row)
    return [code, *columns], rows


@st.composite
def wild_tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header (with a code column, most of the time) and a few rows of cells."""
    header = draw(st.lists(_headers, max_size=6))
    if draw(st.integers(0, 9)):
        header.insert(
            draw(st.integers(0, len(header))), draw(st.sampled_from(("code", "统计用区划代码")))
        )
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        width = len(header) + draw(st.sampled_from((0, 0, 0, -1, 1)))
        cells = [draw(_cells) for _ in range(max(0, width))]
        for index, name in enumerate(header[: len(cells)]):
            if name in ("code", "统计用区划代码") and draw(st.integers(0, 4)):
                cells[index] = draw(_codes)
        rows.append(cells)
    return header, rows


def _csv_text(table: tuple[list[str], list[list[str]]], delimiter: str, quoted: bool) -> str:
    header, rows = table
    if not quoted:  # joined by hand: quotes and delimiters in cells break the layout
        return "\n".join(delimiter.join(row) for row in [header, *rows])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


_csv_texts = st.one_of(
    st.builds(_csv_text, plausible_tables(), st.sampled_from((",", "\t")), st.just(True)),
    st.builds(_csv_text, wild_tables(), st.sampled_from((",", "\t", ";")), st.booleans()),
    st.text(max_size=40),
    st.just('code\n"440106001001'),  # an unterminated quote
    st.just("code\n440106001001\x00"),  # a NUL byte
)

_SUFFIXES: Final = {
    ".json": _json_texts,
    ".jsonl": _jsonl_texts,
    ".toml": _toml_texts,
    ".csv": _csv_texts,
    ".tsv": _csv_texts,
}


@st.composite
def files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file's suffix and bytes: text of its format, or of another, or random bytes."""
    suffix = draw(st.sampled_from(sorted(_SUFFIXES)))
    kind = draw(st.sampled_from(("own", "own", "own", "own", "other", "bytes", "empty")))
    if kind == "bytes":
        return suffix, draw(st.binary(max_size=64))
    if kind == "empty":
        return suffix, draw(st.sampled_from((b"", b"\n", b"\xef\xbb\xbf", codecs.BOM_UTF16_LE)))
    texts = (
        _SUFFIXES[suffix] if kind == "own" else _SUFFIXES[draw(st.sampled_from(sorted(_SUFFIXES)))]
    )
    return suffix, draw(_bytes_of(texts))


# --- the property --------------------------------------------------------------------------


def check_located(error: InputError, where: str = "") -> None:
    """An InputError says where: a path (naming ``where``) and a location per problem."""
    assert isinstance(error, InputError)
    assert error.path, f"no location: {error!r}"
    assert error.problems, f"no problems: {error!r}"
    for location, message in error.problems:
        assert location, f"a problem without a location: {message!r} in {error!r}"
        assert message
    if where:
        assert where in str(error), f"{where!r} not named in {error}"
    str(error).encode("utf-8", errors="surrogatepass")  # the message can be printed


def check_communities(found: Sequence[Community]) -> None:
    """Valid communities, written as JSON and read back unchanged: nothing lost."""
    assert isinstance(found, tuple)
    assert all(isinstance(community, Community) for community in found)
    text = communities_to_json(found)
    text.encode("utf-8")  # no lone surrogates: the file can be written
    again = structure_communities(json.loads(text)["communities"])
    assert again == found


def read_bytes(folder: pathlib.Path, suffix: str, data: bytes) -> None:
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    try:
        found = read_communities(path)
    except InputError as error:
        event(f"outcome: {type(error).__name__}")
        check_located(error, path.name)
    else:
        event("outcome: communities")
        assert found, "an empty file is an error"
        check_communities(found)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("fuzz")


@_FUZZ
@given(files())
def test_a_file_is_communities_or_a_located_input_error(
    folder: pathlib.Path, fuzz_inputs_tried: collections.Counter[str], file: tuple[str, bytes]
) -> None:
    fuzz_inputs_tried["files"] += 1
    read_bytes(folder, *file)


@_FUZZ
@given(st.sampled_from((".csv", ".tsv")), _bytes_of(_csv_texts))
def test_a_table_is_communities_or_a_located_input_error(
    folder: pathlib.Path, fuzz_inputs_tried: collections.Counter[str], suffix: str, data: bytes
) -> None:
    fuzz_inputs_tried["tables"] += 1
    read_bytes(folder, suffix, data)


@_FUZZ
@given(st.sampled_from((".json", ".jsonl", ".toml")), st.data())
def test_a_document_is_communities_or_a_located_input_error(
    folder: pathlib.Path,
    fuzz_inputs_tried: collections.Counter[str],
    suffix: str,
    data: st.DataObject,
) -> None:
    fuzz_inputs_tried["documents"] += 1
    read_bytes(folder, suffix, data.draw(_bytes_of(_SUFFIXES[suffix])))


@_FUZZ
@given(record_lists(st.one_of(_valid_records, _mutated(_python_values), _python_values)))
def test_records_are_communities_or_a_located_input_error(
    fuzz_inputs_tried: collections.Counter[str], found: list[Any]
) -> None:
    fuzz_inputs_tried["records"] += 1
    try:
        communities = structure_communities(found)
    except InputError as error:
        event(f"outcome: {type(error).__name__}")
        check_located(error, "communities")
    else:
        event("outcome: communities")
        check_communities(communities)


@_FUZZ
@given(
    st.one_of(
        _scalars,
        st.dictionaries(_texts, _json_values, max_size=3),
        st.binary(max_size=8),
        st.frozensets(st.integers(), max_size=3),
        st.dates(),
        st.decimals(),
        st.builds(_Odd),
        st.builds(_BadRepr),
    )
)
def test_anything_but_a_list_of_records_is_a_located_input_error(
    fuzz_inputs_tried: collections.Counter[str], value: object
) -> None:
    fuzz_inputs_tried["not records"] += 1
    with pytest.raises(InputError) as caught:
        structure_communities(value)
    check_located(caught.value, "communities")


@_FUZZ
@given(cst.community_lists(max_size=4))
def test_valid_records_are_read_back_unchanged(
    fuzz_inputs_tried: collections.Counter[str], group: list[Community]
) -> None:
    fuzz_inputs_tried["read back"] += 1
    records = [unstructure(community) for community in group]
    assert structure_communities(records) == tuple(group)


# --- the inputs that found bugs, kept as plain tests ---------------------------------------


def _read_text(folder: pathlib.Path, name: str, data: bytes) -> tuple[Community, ...]:
    path = folder / name
    path.write_bytes(data)
    return read_communities(path)


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "deep.json"),
        ("deep.jsonl", b'{"code": "440106001001"}\n' + b"[" * 100_000, "deep.jsonl: line 2"),
        ("deep.toml", b"a = " + b"[" * 100_000 + b"]" * 100_000, "deep.toml"),
        ("deep_table.toml", b"a = " + b"{b = " * 5_000 + b"1" + b"}" * 5_000, "deep_table.toml"),
    ],
)
def test_deeply_nested_input_is_an_input_error(
    folder: pathlib.Path, name: str, data: bytes, where: str
) -> None:
    with pytest.raises(InputError, match="nested too deeply") as caught:
        _read_text(folder, name, data)
    check_located(caught.value, where)


def test_deeply_nested_records_are_an_input_error() -> None:
    record = {"code": "440106001001", "extra": {"a": _nested(100_000)}}
    with pytest.raises(InputError) as caught:
        structure_communities([record])
    check_located(caught.value, "communities[0].extra")


@pytest.mark.parametrize(
    ("record", "where"),
    [
        ({"households": 10**400}, "communities[0].households"),
        ({"population": -(10**400)}, "communities[0].population"),
        ({"households": {"value": 10**400, "unit": "户"}}, "communities[0].households"),
        ({"building_area": {"value": 10**400}}, "communities[0].building_area"),
        ({"extra": {"a": 10**400}}, "communities[0].extra.a"),
        ({"staff": {"community_workers": 10**400}}, "communities[0].staff.community_workers"),
        (
            {"facilities": [{"kind": "comprehensive", "floor_area": 10**400}]},
            "communities[0].facilities[0].floor_area",
        ),
    ],
)
def test_an_integer_too_large_for_a_float_is_an_input_error(
    record: dict[str, Any], where: str
) -> None:
    with pytest.raises(InputError, match="not a finite number") as caught:
        structure_communities([{"code": "440106001001", **record}])
    check_located(caught.value, where)
    assert caught.value.path == where


def test_an_integer_too_large_for_a_float_in_a_table_is_an_input_error(
    folder: pathlib.Path,
) -> None:
    data = f"code,户数\n440106001001,{'9' * 400}\n".encode()
    with pytest.raises(InputError, match="not a finite number") as caught:
        _read_text(folder, "huge.csv", data)
    check_located(caught.value, "huge.csv: row 2, column 户数")


@pytest.mark.parametrize(
    "unit", ["m**9**9**9", "m^9^9^9", "m²**9**9", "(9*9)**(9*9)**(9*9) m", "m**(9**9**9)"]
)
def test_a_power_tower_in_a_unit_is_refused_quickly(folder: pathlib.Path, unit: str) -> None:
    # pint would compute 9**(9**9), a number of 370 million digits, and hang.
    with pytest.raises(InputError, match="power") as caught:
        _read_text(folder, "tower.csv", f"code,floor_area\n440106001001,1 {unit}\n".encode())
    check_located(caught.value, "tower.csv: row 2, column floor_area")
    if "(" not in unit:  # a unit in a header holds no brackets
        with pytest.raises(InputError, match="power") as caught:
            _read_text(folder, "tower.csv", f"code,floor_area[{unit}]\n440106001001,1\n".encode())
        check_located(caught.value, "tower.csv: row 1, column floor_area")
    with pytest.raises(InputError, match="power") as caught:
        structure_communities([{"code": "440106001001", "building_area": f"1 {unit}", "name": "x"}])
    check_located(caught.value, "communities[0].building_area")


def test_a_power_tower_in_a_profile_unit_is_refused_quickly() -> None:
    with pytest.raises(UnitError, match="power"):
        threshold_in("≥1 m**9**9**9", "meter ** 2", "threshold")
    with pytest.raises(UnitError, match="power"):
        threshold_in("≥1 m**2", "m**9**9**9", "threshold")
    with pytest.raises(UnitError, match="power"):
        ratio_scale("person**9**9**9", "household", "percent")
    assert threshold_in("≥1 km**2", "meter ** 2", "threshold") == (">=", 1e6)


@pytest.mark.parametrize(
    "unit", ["m**2", "m^2", "m²", "km**2", "m**3/m", "(m**2)**1", "m**-2*m**4"]
)
def test_ordinary_powers_in_a_unit_are_read(unit: str) -> None:
    (community,) = structure_communities([{"code": "440106001001", "building_area": f"1 {unit}"}])
    assert community.building_area is not None
    assert community.building_area > 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "null"),
        (["a"], "list"),
        ({"zh": "社区"}, "object"),
        (True, "true or false"),
        ("\ud800", "not valid text"),
    ],
)
def test_a_name_must_be_text(value: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        structure_communities([{"code": "440106001001", "name": value}])
    assert caught.value.path == "communities[0].name"
    with pytest.raises(InputError) as caught:
        structure_communities(
            [
                {
                    "code": "440106001001",
                    "facilities": [{"kind": "other", "floor_area": 1, "name": value}],
                }
            ]
        )
    assert caught.value.path == "communities[0].facilities[0].name"


def test_a_name_may_be_a_number_as_spreadsheets_write_it() -> None:
    (community,) = structure_communities([{"code": 440106001001, "name": 12}])
    assert (community.code, community.name) == ("440106001001", "12")


@pytest.mark.parametrize(
    "table",
    [
        "code,有综合服务设施\n110101001001,是\n",
        "code,5g,有综合服务设施\n110101001001,是,是\n",
        "code,开放时间\n110101001001,8\n",
    ],
)
def test_a_facility_without_a_floor_area_column_is_one_of_unknown_area(
    folder: pathlib.Path, table: str
) -> None:
    # Found by the fuzzer: an IndexError when the table has no floor-area column. Such a
    # row says there is a comprehensive facility, whose floor area is not known.
    (community,) = _read_text(folder, "no_floor_area.csv", table.encode())
    assert community.facilities is not None
    assert [f.floor_area for f in community.facilities] == [None]


def test_a_lone_surrogate_in_a_json_file_is_an_input_error(folder: pathlib.Path) -> None:
    data = b'[{"code": "440106001001", "name": "\\ud800"}]'
    with pytest.raises(InputError, match="not valid text") as caught:
        _read_text(folder, "surrogate.json", data)
    check_located(caught.value, "surrogate.json: communities[0].name")


def test_a_problem_inside_extra_is_located_once() -> None:
    with pytest.raises(InputError) as caught:
        structure_communities([{"code": "440106001001", "extra": {"a": "3 kg"}}])
    assert caught.value.path == "communities[0].extra.a"


# --- how many inputs were tried -------------------------------------------------------------

#: The fuzz tests above, by the name each counts its inputs under.
FUZZ_TESTS: Final = ("files", "tables", "documents", "records", "not records", "read back")


def test_each_fuzz_test_tried_its_examples(fuzz_inputs_tried: collections.Counter[str]) -> None:
    """Every fuzz test that ran tried at least the examples it asks for.

    Last in the file, so after the fuzz tests when they run; a fuzz test left
    out of the run (``-k``) is not counted. Hypothesis stops short of
    ``max_examples`` when a strategy runs out of inputs or rejects most of
    what it draws: a fuzzer that quietly tries a handful fails here.
    """
    if not fuzz_inputs_tried:
        pytest.skip("no fuzz test ran before this one")
    assert set(fuzz_inputs_tried) <= set(FUZZ_TESTS)
    short = {name: n for name, n in fuzz_inputs_tried.items() if n < _EXAMPLES}
    assert not short, f"fewer than {_EXAMPLES} inputs tried: {short}"
