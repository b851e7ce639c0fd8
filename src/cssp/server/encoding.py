"""The canonical JSON text of :mod:`cssp.report`, byte for byte, at the speed of msgspec.

:func:`cssp.report.render_report` writes its documents with the standard
library's ``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)``, whose
indented form runs in pure Python: 2 ms for a one-community report, most of a
request's time. msgspec (which Litestar uses) writes the same text in a few
microseconds, except for one thing: a float it writes in exponent form
(``1e16``, ``0.00001``) where Python's ``repr`` writes ``1e+16`` and
``1e-05``. Those floats — only below 10⁻⁴ or from 10¹⁶ up, where ``repr``
switches to exponents — are written by ``repr`` and handed over as raw JSON.
A test compares both writers on the sample, on every report of the service's
tests and on generated documents (``tests/test_server.py``).
"""

from __future__ import annotations

import re
from typing import Any, Final

import msgspec

__all__ = ["canonical_json"]

_ENCODER: Final = msgspec.json.Encoder(order="sorted")
_REPR: Final = float.__repr__
#: What msgspec writes for a float outside [1e-4, 1e16): an exponent (``1e16``,
#: ``1.5e-7``), or four zeros after the point (``0.00001``). Most documents
#: have neither, and pay two fast scans.
_EXPONENT: Final = re.compile(rb"e-?[0-9]")


def _exact(value: Any) -> Any:
    """``value`` with every float that msgspec would write differently as raw JSON."""
    kind = type(value)
    if kind is dict:
        return {key: _exact(item) for key, item in value.items()}
    if kind is list:
        return [_exact(item) for item in value]
    if kind is float and value != 0.0 and not 1e-4 <= abs(value) < 1e16:
        return msgspec.Raw(_REPR(value).encode())
    return value


def canonical_json(document: dict[str, Any]) -> bytes:
    """The UTF-8 bytes ``cssp.report`` would write for ``document``, final newline included.

    :param document: a JSON document of :mod:`cssp.report` (dicts, lists,
        strings, finite numbers, booleans and ``None``).
    """
    text = _ENCODER.encode(document)
    if (
        b"0.0000" in text or _EXPONENT.search(text) is not None
    ):  # rare: a float msgspec may write differently
        text = _ENCODER.encode(_exact(document))
    return msgspec.json.format(text, indent=2) + b"\n"
