"""Files read as one input in batches of communities, in memory that does not grow with them.

:class:`InputStream` reads what :func:`cssp.io.readers.read_input` reads — the
same formats, column maps, places found from names, ``skip_invalid`` and
warnings — and gives the communities a batch at a time: CSV and TSV in blocks
of rows, JSON Lines in blocks of lines, Excel worksheets row by row (openpyxl's
read-only mode), Parquet a record batch at a time. A JSON or TOML document is
parsed whole by the standard library (its records are then structured a batch
at a time): keep large inputs in JSON Lines, CSV or Parquet.

What is checked across the input is checked as it goes: a code met twice (in
memory that does not grow with the input when numpy is installed: beyond a
million codes, sorted runs of them go to a temporary file: see
``cssp.io.readers.seen``), and codes of divisions the shipped list lacks. When
a code is met twice, the input is read again for the places of that code, so
that the problems are those
:func:`~cssp.io.readers.read_input` reports; with ``skip_invalid``, every row
of such a code is to be left out, and :attr:`InputStream.repeated` tells the
caller to read the input again with ``exclude``.
"""

from __future__ import annotations

import codecs
import io
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Final

import attrs

from cssp.errors import InputError
from cssp.io.readers import (
    _REVOKED,
    FORMATS,
    STDIN,
    STDIN_NAME,
    _division_problem,
    _division_warnings,
    _quiet,
    _sha256,
    detect_format,
    load_column_map,
)
from cssp.io.readers.blocks import read_block
from cssp.io.readers.delimited import _checked_rows, _delimiter
from cssp.io.readers.documents import (
    _document_records,
    _parse_json,
    _parse_toml,
    _structure_one,
    _structure_records,
    _subpath,
)
from cssp.io.readers.maps import ColumnMap
from cssp.io.readers.parquet import _cells, check_schema
from cssp.io.readers.problems import _Found, _optional_import, _Problems
from cssp.io.readers.rows import _table_stream
from cssp.io.readers.seen import _Seen
from cssp.io.readers.spreadsheets import open_sheet
from cssp.io.readers.text import _decode, _read_bytes
from cssp.model.collector import collector_paused
from cssp.model.community import Community
from cssp.model.convert import MAX_PROBLEMS, TOO_DEEP
from cssp.model.notes import InputNotes, Note, SkippedRow, WarningTally

__all__ = ["BATCH_ROWS", "InputStream"]

#: Communities in a batch, by default.
BATCH_ROWS: Final = 8192

_TABLES: Final = frozenset({"csv", "xlsx", "parquet"})
_BLOCK: Final = 1 << 20


class InputStream:
    """The communities of files, read as one input, a batch at a time.

    Iterate over it for the batches (tuples of communities, in the files'
    order). When the iteration ends, :attr:`notes` and :attr:`files` say what
    :class:`~cssp.io.readers.ReadResult` would say; an input with problems
    raises its :class:`~cssp.errors.InputError` at the end of the iteration,
    listing what :func:`~cssp.io.readers.read_input` lists.

    :param paths: the files (``"-"``: standard input, whose ``format`` must be given).
    :param format: as for :func:`~cssp.io.readers.read_input`.
    :param encoding: as for :func:`~cssp.io.readers.read_input`.
    :param columns: a column map, as for :func:`~cssp.io.readers.read_input`.
    :param skip_invalid: as for :func:`~cssp.io.readers.read_input`.
    :param strict_codes: as for :func:`~cssp.io.readers.read_input`.
    :param limit: as for :func:`~cssp.io.readers.read_input`.
    :param batch_rows: communities in a batch, at most.
    :param exclude: keys of communities to leave out as met twice (see :attr:`repeated`).
    :param columnar: for the columnar engine: makes what it evaluates from a block of a
        CSV or TSV table read into columns (``cssp.io.readers.blocks.ColumnBlock``),
        with its 12-digit codes as integers (``(batch, keys)``), or declines (``None``).
        Such a batch is given instead of the block's communities when the block is read
        exactly as the row path reads it and nothing in it needs saying (a problem, a
        warning, a code met before); any other block is read into communities.
    """

    def __init__(
        self,
        paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
        *,
        format: str | None = None,
        encoding: str | None = None,
        columns: Any = None,
        skip_invalid: bool = False,
        strict_codes: bool = False,
        limit: int = MAX_PROBLEMS,
        batch_rows: int = BATCH_ROWS,
        exclude: frozenset[str] = frozenset(),
        columnar: Callable[[Any], tuple[Any, Any] | None] | None = None,
    ) -> None:
        if isinstance(paths, str | os.PathLike):
            paths = [paths]
        self.names = [os.fspath(path) for path in paths]
        if not self.names:
            raise InputError("no input file given")
        if batch_rows < 1:
            raise InputError(f"must be a positive number of rows, not {batch_rows!r}", "batch_rows")
        self.format = format
        self.column_map = None if columns is None else load_column_map(columns)
        if encoding is None and self.column_map is not None:
            encoding = self.column_map.encoding
        self.encoding = encoding
        self.skip_invalid = skip_invalid
        self.strict_codes = strict_codes
        self.limit = limit
        self.batch_rows = batch_rows
        self.exclude = exclude
        self.columnar = columnar
        self._stdin: bytes | None = None
        self._seen = _Seen()
        self._townships: dict[str, str | None] = {}
        #: what reading said: rows skipped, warnings, places resolved (after the iteration).
        self.notes = InputNotes()
        #: each file read (:class:`~cssp.io.readers.SourceFile`), as ``read_input`` says.
        self.files: tuple[Any, ...] = ()
        #: with ``skip_invalid``: the keys met more than once. Read the input
        #: again with ``exclude=repeated`` for the result ``read_input`` gives.
        self.repeated: frozenset[str] = frozenset()
        #: how many communities the batches held.
        self.communities = 0

    # -- the batches ---------------------------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        seen = self._seen = _Seen()
        try:
            yield from self._batches(seen)
        finally:  # its temporary file closed, whether the input was read, failed or left
            seen.close()

    def _batches(self, seen: _Seen) -> Iterator[Any]:
        problems = _Problems(self.limit, skip=self.skip_invalid)
        # the readers' warnings, then those of the divisions (as read_input orders them)
        file_warnings = WarningTally()
        division_warnings = WarningTally()
        division_problems: list[tuple[str, str, str]] = []  # (where, message, row)
        excluded: dict[str, list[tuple[str, str]]] = {}  # key -> (code's place, row)
        resolved: list[Any] = []
        kept = [0] * len(self.names)
        townships = self._townships = {}
        self.communities = 0
        for number, name in enumerate(self.names):
            try:
                parts = self._parts(name, problems, columns=self.columnar is not None)
                for part in _each_paused(parts):
                    file_warnings.extend(part.warnings)
                    if part.block is not None:  # read into columns: checked by _accept
                        made, keys = part.block
                        seen.add_codes(keys)
                        kept[number] += len(keys)
                        self.communities += len(keys)
                        yield made
                        continue
                    batch: list[Community] = []
                    left_out: set[str] = set()
                    quiet = _quiet(part.communities)  # no division to name
                    for index, community in enumerate(part.communities):
                        key = community.key
                        if key in self.exclude:
                            excluded.setdefault(key, []).append(
                                (part.locate(index), part.row(index))
                            )
                            left_out.add(part.row(index))
                            continue
                        said = () if quiet else _division_warnings(community, townships)
                        if said and self.strict_codes:
                            for text, _ in said:
                                division_problems.append(
                                    (part.locate(index), text, part.row(index))
                                )
                            left_out.add(part.row(index))
                            if self.skip_invalid:
                                continue
                        else:
                            division_warnings.extend(
                                Note(part.locate(index), text, kind) for text, kind in said
                            )
                        batch.append(community)
                    if seen.add([c.key for c in batch]):
                        batch = _first_only(batch, seen)
                    resolved.extend(p for p in part.resolved if p.where not in left_out)
                    kept[number] += len(batch)
                    self.communities += len(batch)
                    if batch:
                        yield tuple(batch)
            except InputError as error:
                problems.add_error(error)
        seen.close()  # the checks across the input need no more than seen.repeated
        self.repeated = frozenset(seen.repeated)
        self._finish(problems, excluded, division_problems, kept)
        file_warnings.merge(division_warnings)
        self.notes = attrs.evolve(
            self.notes,
            warnings=file_warnings.warnings,
            resolved=tuple(resolved),
            warnings_left_out=file_warnings.left_out,
        )

    def _finish(
        self,
        problems: _Problems,
        excluded: dict[str, list[tuple[str, str]]],
        division_problems: list[tuple[str, str, str]],
        kept: list[int],
    ) -> None:
        """The checks across the input, in the order read_input makes them; the notes."""
        if self.repeated and not self.skip_invalid:
            self._repeated_problems(problems)
        for key, places in excluded.items():  # as read_input's check of codes met twice
            for where, row in places:
                others = ", ".join(p for p, _ in places if p != where)
                problems.add(
                    where, f"community {key} appears more than once: also at {others}", row=row
                )
        for where, text, row in division_problems:
            problems.add(where, text, row=row)
        what = ", ".join(self.names)
        problems.check(what)
        skipped = tuple(SkippedRow(row, items) for row, items in problems.skipped.items())
        if not self.communities and skipped and not self.repeated:
            listed = [item for row in skipped for item in row.problems]
            raise InputError(
                f"every row of {what} has problems: none is left to evaluate",
                what,
                tuple(listed[: self.limit]),
            )
        self.notes = InputNotes(skipped=skipped)
        from cssp.io.readers import SourceFile  # noqa: PLC0415 - defined with read_input

        self.files = tuple(
            SourceFile(
                name,
                kept[number] if not self.repeated else 0,
                sum(1 for row in skipped if row.where.startswith(name)),
                "" if name == STDIN else _sha256(name),
            )
            for number, name in enumerate(self.names)
        )

    def _accept(self, table: Any, chunk: list[Any]) -> tuple[Any, int, list[Any]] | None:
        """A chunk of a table read into columns for the columnar engine, as a part's
        ``block``, its rows and what the row path would warn of them (``ColumnBlock.notes``);
        ``None`` when the row path must read it (see ``columnar``)."""
        assert self.columnar is not None
        block = read_block(table, chunk)
        if block is None:
            return None
        made = self.columnar(block)
        if made is None:
            return None
        keys = made[1]
        codes = [f"{key:012d}" for key in keys.tolist()]
        if self.exclude and not self.exclude.isdisjoint(codes):
            return None
        if self._seen.met(keys):
            return None  # a code met twice: the row path finds where
        known = self._townships
        for code in {code[:9]: code for code in codes}.values():
            if known.get(code[:9], "") == "":
                known[code[:9]] = _division_problem(code)
            if known[code[:9]]:
                return None  # a warning or (strict_codes) a problem: the row path says it
        if any(_REVOKED in name for name in block.columns.get("name", ()) if name):
            return None
        return made, block.size, block.notes

    def _repeated_problems(self, problems: _Problems) -> None:
        """Read the input again for the places of the codes met twice: each later place is a
        problem naming the first (as :func:`~cssp.io.readers.read_input` says it)."""
        places: dict[str, list[str]] = {}
        quiet = _Problems(1, skip=True)
        for name in self.names:
            try:
                for part in self._parts(name, quiet):
                    for index, community in enumerate(part.communities):
                        if community.key in self.repeated:
                            places.setdefault(community.key, []).append(part.locate(index))
            except InputError:
                continue
        for code, where in places.items():
            for place in where[1:]:
                problems.add(
                    place,
                    f"community {'code ' if ' ' not in code else ''}{code} appears twice: "
                    f"it is also at {where[0]}",
                )

    # -- one file's parts -----------------------------------------------------------------

    def _parts(self, name: str, problems: _Problems, *, columns: bool = False) -> Iterator[_Found]:
        if name == STDIN and self.format is None:
            raise InputError(
                "reading standard input needs its format: give --input-format (format=)", name
            )
        chosen = self.format if self.format is not None else detect_format(name)
        if chosen not in FORMATS:
            raise InputError(
                f"unknown format {chosen!r}; known formats: {', '.join(FORMATS)}", name
            )
        if self.column_map is not None and chosen not in _TABLES:
            raise InputError(
                f"a column map applies to tables (CSV, TSV, Excel, Parquet), not to {chosen} files",
                name,
            )
        data: bytes | None = None
        if name == STDIN:
            if self._stdin is None:
                self._stdin = sys.stdin.buffer.read()
            data, name = self._stdin, STDIN_NAME
        size = self.batch_rows
        if chosen == "xlsx":
            yield from _excel_parts(name, problems, self.column_map, data, size)
            return
        if chosen == "parquet":
            yield from _parquet_parts(name, problems, self.column_map, data, size)
            return
        if chosen in ("json", "toml"):
            text = _decode(_read_bytes(name) if data is None else data, name, self.encoding)
            if not text.strip():
                raise InputError("the file is empty", name)
            parse = _parse_json if chosen == "json" else _parse_toml
            records = _document_records(parse(name, text), name)
            del text
            for first in range(0, len(records), size):
                yield _structure_records(
                    records[first : first + size], problems, _root(name, first)
                )
            return
        with _open_text(name, data, self.encoding) as file:
            if chosen == "csv":
                accept = self._accept if columns else None
                yield from _csv_parts(name, file, problems, self.column_map, size, accept)
            else:
                yield from _jsonl_parts(name, file, problems, size)


def _each_paused(parts: Iterator[_Found]) -> Iterator[_Found]:
    """Each of ``parts``, made with the garbage collector paused (as ``read_input`` reads);
    the code that takes each part runs with it as it was."""
    while True:
        with collector_paused():
            part = next(parts, None)
        if part is None:
            return
        yield part


def _root(name: str, first: int) -> Callable[[int], str]:
    """Where record ``index`` of a part starting at record ``first`` is."""
    return lambda index: f"{name}: communities[{first + index}]"


def _open_text(name: str, data: bytes | None, encoding: str | None) -> IO[str]:
    """The file as text, decoded as :func:`cssp.io.readers.text._decode` decodes it, without
    holding its text: the bytes are checked a block at a time, then read through a decoder.

    A file that is not valid in the encoding found is decoded whole, for the same error.
    """
    if data is not None:
        return io.StringIO(_decode(data, name, encoding), newline="")
    try:
        with open(name, "rb") as raw:
            start = raw.read(4)
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", name) from None
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"unknown text encoding {encoding!r}", name) from None
        chosen = "utf-8-sig" if codec == "utf-8" else encoding
        candidates = [chosen]
    elif start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8-sig", "gb18030"]
    for candidate in candidates:
        blank = _valid_as(name, candidate)
        if blank is None:
            continue
        if blank:
            raise InputError("the file is empty", name)
        return open(name, encoding=candidate, newline="")
    _decode(_read_bytes(name), name, encoding)  # raises the error read_input raises
    raise InputError("cannot decode the file", name)  # pragma: no cover - _decode raised


def _valid_as(name: str, encoding: str) -> bool | None:
    """Whether the file is only blanks in ``encoding`` (``None``: it is not valid in it)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    blank = True
    try:
        with open(name, "rb") as raw:
            while block := raw.read(_BLOCK):
                text = decoder.decode(block)
                blank = blank and not text.strip()
            rest = decoder.decode(b"", final=True)  # always: an incomplete sequence at the end
            blank = blank and not rest.strip()
        if decoder.getstate()[0]:  # bytes left over: utf-8-sig keeps a lone b"\xef" so
            return None
    except UnicodeDecodeError:
        return None
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", name) from None
    return blank


def _csv_parts(
    name: str,
    file: IO[str],
    problems: _Problems,
    column_map: ColumnMap | None,
    size: int,
    columns: Callable[[Any, list[Any]], tuple[Any, int, list[Any]] | None] | None = None,
) -> Iterator[_Found]:
    delimiter = _delimiter(name, file.read(_BLOCK))
    file.seek(0)

    def rows() -> Iterator[tuple[int, list[str]]]:
        return _checked_rows(file, name, delimiter, problems)

    for _table, part, _numbers in _table_stream(
        name,
        rows(),
        problems,
        text_cells=True,
        column_map=column_map,
        size=size,
        columns=columns,
    ):
        yield part


def _jsonl_parts(name: str, file: IO[str], problems: _Problems, size: int) -> Iterator[_Found]:
    lines = enumerate(_split_lines(iter(lambda: file.read(_BLOCK), "")), start=1)
    while True:
        chunk = list(itertools.islice(lines, size))
        if not chunk:
            return
        found = _Found()
        wheres: list[str] = []
        rows: list[str] = []
        found.locate = wheres.__getitem__
        found.row = rows.__getitem__
        for number, line in chunk:
            if not line.strip():
                continue
            root = f"{name}: line {number}"
            record = _json_line(line, root, problems)
            if record is _BAD:
                continue
            locate = _subpath(root, ": ")
            community = _structure_one(record, locate, problems)
            if community is not None:
                found.communities.append(community)
                wheres.append(locate("code"))
                rows.append(root)
        yield found


_BAD: Final = object()


def _json_line(line: str, root: str, problems: _Problems) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        problems.add(root, f"not valid JSON (at column {error.colno}): {error.msg}", row=root)
    except RecursionError:
        problems.add(root, TOO_DEEP, row=root)
    except ValueError as error:  # an integer of more than 4300 digits
        problems.add(root, f"not valid JSON: {error}", row=root)
    return _BAD


def _split_lines(blocks: Iterable[str]) -> Iterator[str]:
    """The text's lines split at ``\\n`` alone (as ``str.split("\\n")``)."""
    rest = ""
    for block in blocks:
        lines = (rest + block).split("\n")
        rest = lines.pop()
        yield from lines
    yield rest


def _excel_parts(
    name: str, problems: _Problems, column_map: ColumnMap | None, data: bytes | None, size: int
) -> Iterator[_Found]:
    with open_sheet(name, data, ("社区", "communities"), problems) as (where, rows):
        for _table, part, _numbers in _table_stream(
            where, rows, problems, column_map=column_map, size=size
        ):
            yield part


def _parquet_parts(
    name: str, problems: _Problems, column_map: ColumnMap | None, data: bytes | None, size: int
) -> Iterator[_Found]:
    parquet = _optional_import("pyarrow.parquet", "parquet", "Parquet", name)
    try:
        file = parquet.ParquetFile(name if data is None else io.BytesIO(data))
    except OSError as error:
        if isinstance(error, FileNotFoundError | PermissionError | IsADirectoryError):
            raise InputError(f"cannot read the file: {error.strerror or error}", name) from None
        raise InputError(f"not a Parquet file: {error}", name) from None
    except Exception as error:  # pyarrow's ArrowInvalid and friends
        raise InputError(f"not a Parquet file: {error}", name) from None
    check_schema(file.schema_arrow, file.metadata.num_rows, name)  # as read whole
    header = file.schema_arrow.names

    def rows() -> Iterator[tuple[int, Any]]:
        yield 0, header
        number = 1
        batches = file.iter_batches(batch_size=size)
        while True:
            try:
                batch = next(batches)
                columns = [_cells(batch.column(i)) for i in range(batch.num_columns)]
            except StopIteration:
                return
            except Exception as error:  # pyarrow's ArrowInvalid and friends, as read whole
                raise InputError(f"not a Parquet file: {error}", name) from None
            for row in zip(*columns, strict=True):
                yield number, row
                number += 1

    for _table, part, _numbers in _table_stream(
        name, rows(), problems, column_map=column_map, size=size
    ):
        yield part


def _first_only(batch: list[Community], seen: _Seen) -> list[Community]:
    """The batch without the communities of a key met before (in it or in a batch before):
    the input fails, or is read again without them, and the engine never sees a key twice."""
    kept: list[Community] = []
    met: set[str] = set()
    for community in batch:
        key = community.key
        if key in seen.earlier or key in met:
            continue
        met.add(key)
        kept.append(community)
    return kept
