"""The check of codes met twice in bounded memory (``cssp.io.readers.seen``): sorted runs of
codes in memory up to a bound, then in a temporary file read block by block; the same
answers as a set of every key, the same problems from the stream, nothing left behind."""

from __future__ import annotations

import errno
import io
import json
import os
import pathlib
import tempfile
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cssp.errors import CsspError, InputError
from cssp.io.readers import stream as stream_module
from cssp.io.readers.seen import _Seen
from cssp.io.readers.stream import InputStream

np = pytest.importorskip("numpy")

from cssp.batch.blocks import block_frame  # noqa: E402
from cssp.cli import main  # noqa: E402

#: A bound of 8 codes in memory, a sparse index entry every 2 codes, reads of 4 codes.
_TINY: Final = {"codes": 8, "block": 2, "read": 4}

_BASE: Final = 440106001000
_CODES: Final = st.one_of(
    st.integers(0, 60).map(lambda n: _BASE + 7 * n),  # few: met again often
    st.integers(0, 10**12 - 1),  # any 12 digits, leading zeros too
)
_KEYS: Final = st.one_of(
    _CODES.map(lambda v: f"{v:012d}"),
    st.sampled_from(("440106001 示例社区", "330922100 菜园镇东海社区", "110101 东华门社区")),
)


class _Reference:
    """What ``_Seen`` must say: every key met, in a set."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.repeated: set[str] = set()
        self.earlier: set[str] = set()

    def add(self, keys: list[str]) -> bool:
        self.earlier = self.keys & set(keys)
        twice = {key for key in keys if keys.count(key) > 1}
        self.keys |= set(keys)
        self.repeated |= twice | self.earlier
        return bool(twice or self.earlier)

    def add_codes(self, codes: list[int]) -> None:
        self.earlier = set()
        self.keys |= {f"{code:012d}" for code in codes}

    def met(self, codes: list[int]) -> bool:
        return any(f"{code:012d}" in self.keys for code in codes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), sizes=st.sampled_from([_TINY, {"codes": 5, "block": 3, "read": 1}]))
def test_the_codes_met_are_what_a_set_of_every_key_says(
    data: st.DataObject, sizes: dict[str, int]
) -> None:
    seen, reference = _Seen(**sizes), _Reference()
    try:
        for _ in range(data.draw(st.integers(1, 14), label="batches")):
            operation = data.draw(st.sampled_from(("add", "add", "add_codes", "met")))
            ordered = data.draw(st.booleans(), label="sorted")
            if operation == "add":
                keys = data.draw(st.lists(_KEYS, max_size=12), label="keys")
                keys = sorted(keys) if ordered else keys
                assert seen.add(keys) == reference.add(keys)
                assert seen.earlier == reference.earlier
                assert seen.repeated == reference.repeated
            elif operation == "add_codes":  # the columnar path: codes neither met nor twice
                drawn = data.draw(st.lists(_CODES, max_size=12, unique=True), label="codes")
                codes = [c for c in drawn if not reference.met([c])]
                codes = sorted(codes) if ordered else codes
                seen.add_codes(np.array(codes, dtype=np.int64))
                reference.add_codes(codes)
                assert seen.earlier == reference.earlier
            else:
                codes = data.draw(st.lists(_CODES, max_size=12), label="codes")
                assert seen.met(np.array(codes, dtype=np.int64)) == reference.met(codes)
            assert 2 * seen.kept <= sizes["codes"]  # the bound, with a copy: the rest on disk
        event(f"runs on disk: {min(len(seen.disk), 3)}{'+' if len(seen.disk) > 3 else ''}")
    finally:
        seen.close()


def test_a_run_on_disk_is_read_a_block_at_a_time_not_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch next to a few codes of a long run on disk reads a few blocks of it."""
    seen = _Seen(codes=999, block=10, read=40)
    try:
        seen.add_codes(np.arange(_BASE, _BASE + 3000, 3, dtype=np.int64))  # 1,000 codes
        seen.add_codes(np.arange(_BASE + 1, _BASE + 3000, 3, dtype=np.int64))  # 2 runs on disk
        assert [run.length for run in seen.disk] == [1000, 1000]
        assert seen.runs == []
        sizes: list[int] = []
        read = seen._read_codes

        def counted(start: int, count: int) -> Any:
            sizes.append(count)
            return read(start, count)

        monkeypatch.setattr(seen, "_read_codes", counted)
        assert seen.add([f"{_BASE + 1500:012d}", f"{_BASE + 1502:012d}"]) is True
        assert seen.earlier == {f"{_BASE + 1500:012d}"}
        assert sizes == [10, 20]  # a block of the first run, two neighbours of the second
        sizes.clear()
        spread = [_BASE + n for n in range(2, 3000, 3) if n != 1502]  # in no run, all over
        assert seen.met(np.array(spread[::-1])) is False
        assert max(sizes) <= 40
        assert sum(sizes) == 2000  # every block of each run once
    finally:
        seen.close()


# -- the stream with a tiny bound ---------------------------------------------------------


class _Recorded:
    """The ``_Seen`` of the streams made while it is in place, with a tiny bound."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[_Seen] = []
        monkeypatch.setattr(stream_module, "_Seen", self)

    def __call__(self) -> _Seen:
        seen = _Seen(**_TINY)
        self.made.append(seen)
        return seen

    def spilled(self) -> bool:
        return any(seen.disk for seen in self.made)

    def closed(self) -> bool:
        return all(seen.file is None or seen.file.closed for seen in self.made)


@pytest.fixture
def temporary(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> pathlib.Path:
    """The temporary directory, for this test alone (empty)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


_NAMES: Final = ("示例社区", "水口居委会", "垌心村委会", "东海社区", "菜园村")


def _ledger(folder: pathlib.Path, suffix: str, *, twice: bool) -> pathlib.Path:
    """60 communities of real-shaped rows, the 4th's code met again at the 55th."""
    codes = [f"440106001{n:03d}" for n in range(1, 61)]
    if twice:
        codes[54] = codes[3]
    path = folder / f"ledger{suffix}"
    if suffix == ".csv":
        lines = ["统计用区划代码,名称,户数(户),常住人口(人),综合服务设施面积(平方米)"]
        lines += [
            f"{code},{_NAMES[n % 5]},{1000 + n},{3000 + n},{300 + n}.5"
            for n, code in enumerate(codes)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    else:
        records = [
            {"code": code, "name": _NAMES[n % 5], "households": f"{1000 + n}户", "population": 3000}
            for n, code in enumerate(codes)
        ]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def _batches(stream: InputStream) -> list[Any]:
    """The batches: communities, or the codes of a frame read into columns."""
    return [list(b) if isinstance(b, tuple) else ("frame", b.keys.tolist()) for b in stream]


def _streamed(path: pathlib.Path, **options: Any) -> Any:
    """What the stream gives (read again without the codes met twice, as the command
    does with ``skip_invalid``), or its error."""
    try:
        stream = InputStream(path, batch_rows=4, **options)
        batches = _batches(stream)
        if stream.repeated and options.get("skip_invalid"):
            stream = InputStream(path, batch_rows=4, exclude=stream.repeated, **options)
            batches = _batches(stream)
    except InputError as error:
        return type(error).__name__, str(error), error.problems
    return batches, stream.notes, stream.files, stream.repeated


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@pytest.mark.parametrize("twice", [True, False])
@pytest.mark.parametrize("skip", [False, True])
def test_a_tiny_bound_reads_a_file_as_the_default_one(
    monkeypatch: pytest.MonkeyPatch,
    temporary: pathlib.Path,
    tmp_path: pathlib.Path,
    suffix: str,
    twice: bool,
    skip: bool,
) -> None:
    path = _ledger(tmp_path, suffix, twice=twice)
    default = _streamed(path, skip_invalid=skip)
    if twice and not skip:
        assert default[0] == "InputError"
        assert "440106001004 appears twice: it is also at" in str(default[2])
    recorded = _Recorded(monkeypatch)
    assert _streamed(path, skip_invalid=skip) == default
    assert recorded.spilled()
    assert recorded.closed()
    assert os.listdir(temporary) == []


@pytest.mark.parametrize("twice", [True, False])
def test_a_tiny_bound_reads_columns_as_the_default_one(
    monkeypatch: pytest.MonkeyPatch, temporary: pathlib.Path, tmp_path: pathlib.Path, twice: bool
) -> None:
    """The columnar path (``met``, ``add_codes``) sends the block of the code met again
    to the row path, which names it, as with the default bound."""
    path = _ledger(tmp_path, ".csv", twice=twice)
    default = _streamed(path, columnar=block_frame)
    recorded = _Recorded(monkeypatch)
    tiny = _streamed(path, columnar=block_frame)
    assert tiny == default
    if not twice:
        assert all(batch[0] == "frame" for batch in tiny[0])  # every block read as columns
    assert recorded.spilled()
    assert recorded.closed()
    assert os.listdir(temporary) == []


@pytest.mark.parametrize("skip", [False, True])
def test_the_command_writes_the_same_bytes_with_a_tiny_bound(
    monkeypatch: pytest.MonkeyPatch,
    temporary: pathlib.Path,
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    skip: bool,
) -> None:
    path = _ledger(tmp_path, ".jsonl", twice=True)
    options = ["--skip-invalid"] if skip else []
    outputs = []
    for tiny in (False, True):
        if tiny:
            recorded = _Recorded(monkeypatch)
        out = tmp_path / f"findings-{tiny}.jsonl"
        status = main(
            ["evaluate", str(path), "--no-plugins", "--format", "jsonl", "--batch-rows", "4",
             "-o", str(out), *options]
        )  # fmt: skip
        written = out.read_bytes() if out.exists() else None
        outputs.append((status, capsys.readouterr().err, written))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == (0 if skip else 2)
    assert recorded.spilled()
    assert recorded.closed()
    assert os.listdir(temporary) == []


def test_a_stream_left_half_way_closes_its_temporary_file(
    monkeypatch: pytest.MonkeyPatch, temporary: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    path = _ledger(tmp_path, ".jsonl", twice=False)
    recorded = _Recorded(monkeypatch)
    batches = iter(InputStream(path, batch_rows=4))
    for _ in range(5):  # 20 codes: runs on disk
        next(batches)
    (seen,) = recorded.made[1:]  # the one made by the iteration
    assert seen.disk
    assert not seen.file.closed
    batches.close()  # type: ignore[attr-defined]
    assert seen.file.closed
    batches = iter(InputStream(path, batch_rows=4))
    for _ in range(5):
        next(batches)
    left = recorded.made[-1]
    assert left.disk
    del batches  # dropped: the generator is closed, and the file with it
    assert left.file.closed
    assert os.listdir(temporary) == []


def test_a_dropped_seen_closes_its_temporary_file() -> None:
    seen = _Seen(**_TINY)
    seen.add_codes(np.arange(_BASE, _BASE + 20, dtype=np.int64))
    file = seen.file
    assert not file.closed
    del seen
    assert file.closed


# -- no temporary file to be had: the runs stay in memory ---------------------------------


class _FullAfter(io.FileIO):
    """A file of a disk that is full once ``room`` bytes are written."""

    room = 0

    def write(self, data: Any) -> int:
        if self.tell() + len(memoryview(data).cast("B")) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


@pytest.mark.parametrize("where", ["missing", "full", "full later"])
def test_without_a_temporary_file_the_runs_stay_in_memory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path, where: str
) -> None:
    path = _ledger(tmp_path, ".jsonl", twice=True)
    default = _streamed(path, skip_invalid=True)
    if where == "missing":
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    else:
        _FullAfter.room = 0 if where == "full" else 100  # room for the first run (8 codes)
        full = tmp_path / "full"
        monkeypatch.setattr(tempfile, "TemporaryFile", lambda **_: _FullAfter(full, "w+b"))
    recorded = _Recorded(monkeypatch)
    assert _streamed(path, skip_invalid=True) == default
    seen = recorded.made[1]
    assert not seen.spill
    assert seen.kept > _TINY["codes"]  # kept in memory past the bound
    assert bool(seen.disk) is (where == "full later")
    assert recorded.closed()


def test_a_temporary_file_that_cannot_be_read_back_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A disk that fails under the temporary file of the codes met (an I/O error, a file
    cut short) stops the command with a message naming it, exit 2 and nothing written;
    never a traceback, nor a message about the output."""
    seen = _Seen(**_TINY)
    seen.add_codes(np.arange(_BASE, _BASE + 40, dtype=np.int64))
    assert seen.disk
    monkeypatch.setattr(seen.file, "readinto", lambda _buffer: 0)
    with pytest.raises(CsspError, match="cannot read back the codes met so far") as raised:
        seen.met(np.array([_BASE + 3], dtype=np.int64))
    assert not isinstance(raised.value, InputError)  # the disk's fault, not the input's
    seen.close()

    path = _ledger(tmp_path, ".jsonl", twice=True)
    original = _Seen.__init__

    def tiny(self: _Seen, *args: Any, **kwargs: Any) -> None:
        original(self, **_TINY)

    real = tempfile.TemporaryFile

    class Failing:
        """The temporary file, on a disk that fails when it is read back."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.file = real(*args, **kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.file, name)

        def readinto(self, buffer: Any) -> int:
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(_Seen, "__init__", tiny)
    monkeypatch.setattr(tempfile, "TemporaryFile", Failing)
    out = tmp_path / "findings.jsonl"
    status = main(
        ["evaluate", str(path), "--no-plugins", "--format", "jsonl", "--batch-rows", "4",
         "-o", str(out)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert status == 2
    assert "cannot read back the codes met so far" in err
    assert "Traceback" not in err
    assert not out.exists()
