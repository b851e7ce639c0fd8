"""Write files atomically, and communities as JSON that :mod:`cssp.io.readers` reads back.

A report or a data file is first written in full to a temporary file beside
its destination, flushed to disk, and then moved over the destination in one
step (``os.replace``): a reader sees the old file or the new one, never a
half-written one, and a failure leaves the old file as it was. Only a
regular file (or a new one) is written: a named pipe, a device such as
``/dev/null``, a socket or a directory at the destination is refused, never
replaced.

>>> import json, pathlib, tempfile
>>> import cssp
>>> from cssp.io.readers import read_communities
>>> path = pathlib.Path(tempfile.mkdtemp()) / "communities.json"
>>> communities = cssp.load_sample()[:2]
>>> write_atomic(path, communities_to_json(communities))
>>> read_communities(path) == communities
True
>>> json.loads(path.read_text("utf-8"))["schema_version"]
1
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cssp.io.readers import SCHEMA_VERSION
from cssp.model.community import Community
from cssp.model.convert import unstructure

__all__ = ["check_destination", "communities_to_json", "write_atomic"]


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8"
) -> None:
    """Write ``data`` to ``path`` atomically.

    The data goes to a temporary file in the same directory, which is flushed
    to disk and then moved over ``path`` with ``os.replace``. On any
    failure (the text cannot be encoded, the disk is full, the move fails) the
    file at ``path`` is left as it was and the temporary file is removed; the
    exception propagates. A new file gets the permissions ``open()`` would
    give it (0666 less the umask); a replaced file keeps its own. When ``path``
    is a symbolic link, the file it points to is replaced.

    Only regular files are written: when ``path`` is a named pipe, a device
    (``/dev/null``, a terminal), a socket or a directory, nothing is written
    and an :class:`OSError` says what it is (replacing ``/dev/null`` with a
    file, as root, would break the system). The temporary file's name is
    short (``.cssp-XXXXXXXX.tmp``), so a destination whose name is as long as
    the file system allows (255 bytes) can be written too.

    :param path: the destination.
    :param data: text, encoded with ``encoding``, or bytes, written as they are.
    :param encoding: the encoding of text.
    :raises UnicodeEncodeError: when the text cannot be encoded (nothing is written).
    :raises OSError: when the file cannot be written or moved into place, or
        ``path`` is not a regular file.
    """
    target = Path(os.path.realpath(path))
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    _check_regular(target, path)
    mode = _mode(target)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".cssp-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def check_destination(path: str | os.PathLike[str]) -> None:
    """Refuse, as :func:`write_atomic` does, a destination that is not a regular file.

    For writers that stream into their own temporary file and move it into place.

    :raises OSError: when ``path`` is a named pipe, a device, a socket or a directory.
    """
    _check_regular(Path(os.path.realpath(path)), path)


#: What a destination that is not a regular file is, by the test that recognises it.
_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _check_regular(target: Path, given: str | os.PathLike[str]) -> None:
    """Refuse a destination that exists and is not a regular file (nothing is written)."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return  # a new file (or one the write itself will fail to create, and say why)
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise OSError(
        errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL,
        f"it is {kind}; cssp writes only regular files (to write to standard output, "
        "give - or leave the option out)",
        os.fspath(given),
    )


def _mode(target: Path) -> int:
    """The permission bits the written file should have."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


def _sync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it (POSIX); best effort."""
    if os.name != "posix":  # pragma: no cover - Windows cannot open a directory
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def communities_to_json(communities: Iterable[Community]) -> str:
    """Communities as a JSON document that :func:`~cssp.io.readers.read_communities` reads back.

    The document is ``{"schema_version": 1, "communities": [...]}``, each
    community unstructured by cssp's converter (:func:`cssp.io.unstructure`):
    quantities as plain numbers in their canonical units (m², households,
    persons, h/day, percent), unknown values as ``null``, Chinese text as it
    is (not escaped). Floats are written exactly, so reading the text back
    gives equal communities.

    :param communities: the communities.
    :return: the JSON text, ending with a newline.
    """
    document = {
        "schema_version": SCHEMA_VERSION,
        "communities": [unstructure(community) for community in communities],
    }
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
