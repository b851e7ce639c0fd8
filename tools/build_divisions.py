#!/usr/bin/env python3
"""Build ``src/cssp/data/divisions.tsv.gz`` from the NBS division-code CSVs.

Reads ``provinces.csv``, ``cities.csv``, ``areas.csv`` and ``streets.csv`` (the
National Bureau of Statistics' 统计用区划代码, data as of 2022-10-31, published
2022-12-29, as compiled by modood/Administrative-divisions-of-China, licence
WTFPL) and writes one gzip-compressed file with a comment line naming the
edition followed by one ``code<TAB>name`` line per division, sorted by code.

The output is byte-for-byte reproducible: gzip is written with ``mtime=0`` and
no file name in its header.

Usage::

    python tools/build_divisions.py [SOURCE_DIR] [-o OUTPUT]

``SOURCE_DIR`` defaults to ``../shared/data/divisions`` relative to the
repository root.  Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "divisions"
DEFAULT_OUTPUT = REPO_ROOT / "src" / "cssp" / "data" / "divisions.tsv.gz"

EDITION_COMMENT = (
    "# 统计用区划代码, data as of 2022-10-31, published 2022-12-29 (NBS), "
    "via modood/Administrative-divisions-of-China (WTFPL)"
)

#: (file name, code length, expected row count) for each level.
LEVELS: tuple[tuple[str, int, int], ...] = (
    ("provinces.csv", 2, 31),
    ("cities.csv", 4, 342),
    ("areas.csv", 6, 2978),
    ("streets.csv", 9, 41352),
)


def read_level(path: Path, length: int) -> dict[str, str]:
    """Read one level's CSV and return ``{code: name}``, validating each row.

    :param path: the CSV file, with at least ``code`` and ``name`` columns.
    :param length: the number of digits every code in the file must have.
    :return: the file's codes mapped to their names.
    :raises ValueError: on a malformed or duplicated code or an unusable name.
    """
    rows: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), start=2):
            code = row["code"].strip()
            name = row["name"].strip()
            if len(code) != length or not code.isdigit():
                raise ValueError(f"{path}:{lineno}: bad {length}-digit code {code!r}")
            if not name or any(c in name for c in "\t\r\n"):
                raise ValueError(f"{path}:{lineno}: bad name {name!r}")
            if code in rows:
                raise ValueError(f"{path}:{lineno}: duplicate code {code}")
            rows[code] = name
    return rows


def build(source: Path) -> bytes:
    """Return the gzip-compressed TSV for the CSVs in *source*.

    :param source: the directory holding the four CSV files.
    :return: the reproducible gzip bytes of the output file.
    :raises ValueError: if a file is malformed or has an unexpected row count.
    """
    divisions: dict[str, str] = {}
    for filename, length, expected in LEVELS:
        level = read_level(source / filename, length)
        if len(level) != expected:
            raise ValueError(f"{filename}: expected {expected} rows, found {len(level)}")
        divisions.update(level)
    text = io.StringIO()
    text.write(EDITION_COMMENT + "\n")
    for code in sorted(divisions):
        text.write(f"{code}\t{divisions[code]}\n")
    raw = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of run-dependent data.
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    return raw.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point.

    :param argv: arguments (default: ``sys.argv[1:]``).
    :return: the process exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=DEFAULT_SOURCE,
        help="directory with provinces/cities/areas/streets.csv (default: %(default)s)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="output file (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    data = build(args.source)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
