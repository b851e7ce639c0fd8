"""Bytes to text: the declared encoding, or UTF-8, UTF-16 or GB18030 (GBK) as detected.

Used for the text formats: JSON, JSON Lines, TOML, CSV and TSV.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from cssp.errors import InputError


def _read_bytes(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", name) from None


def _decode(data: bytes, name: str, encoding: str | None) -> str:
    """Decode a text file: the declared encoding, or UTF-8, UTF-16 or GB18030 as detected."""
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"unknown text encoding {encoding!r}", name) from None
        return _decode_as(data, "utf-8-sig" if codec == "utf-8" else encoding, name, encoding)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, "utf-16", name, "UTF-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError(
                f"the file is neither UTF-8 nor GB18030 (GBK) text: the bytes "
                f"{_bytes_at(data, utf8.start)} are not valid UTF-8; save it as "
                "UTF-8 or give its encoding",
                f"{name}: byte {utf8.start}",
            ) from None


def _decode_as(data: bytes, encoding: str, name: str, label: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            f"the bytes {_bytes_at(data, error.start)} are not valid {label} text; "
            "is the file in another encoding, such as GBK or GB18030 (or UTF-8)?",
            f"{name}: byte {error.start}",
        ) from None


def _bytes_at(data: bytes, offset: int) -> str:
    return data[offset : offset + 4].hex(" ")
