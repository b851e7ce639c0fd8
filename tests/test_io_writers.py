"""Tests for cssp.io.writers: atomic writes, and communities as JSON."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import cssp
from cssp.io import communities_to_json, read_communities, write_atomic
from cssp.io.readers import SCHEMA_VERSION


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    """Files in ``folder`` other than ``keep``: temporary files a failed write left."""
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_write_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    write_atomic(path, "# 报告\n")
    assert path.read_text("utf-8") == "# 报告\n"
    assert leftovers(tmp_path, {"report.md"}) == []


def test_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("old", encoding="utf-8")
    write_atomic(str(path), "new")
    assert path.read_text("utf-8") == "new"
    assert leftovers(tmp_path, {"report.md"}) == []


def test_bytes_are_written_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    write_atomic(path, b"\x00\xff\x80")
    assert path.read_bytes() == b"\x00\xff\x80"


def test_text_is_encoded(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    write_atomic(path, "统计用区划代码\n", encoding="gb18030")
    assert path.read_bytes() == "统计用区划代码\n".encode("gb18030")


def test_a_text_that_cannot_be_encoded_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "社区", encoding="ascii")
    assert path.read_text("utf-8") == "old"
    assert leftovers(tmp_path, {"report.txt"}) == []


@pytest.mark.parametrize("step", ["replace", "fsync", "chmod"])
def test_a_failure_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, step, fail)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, "new " * 10_000)
    monkeypatch.undo()
    assert path.read_text("utf-8") == "old"
    assert leftovers(tmp_path, {"report.html"}) == []


def test_an_interrupted_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.json"
    path.write_text("old", encoding="utf-8")

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new")
    monkeypatch.undo()
    assert path.read_text("utf-8") == "old"
    assert leftovers(tmp_path, {"report.json"}) == []


def test_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "report.md", "text")


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = tmp_path / "report.md"
        write_atomic(path, "text")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    finally:
        os.umask(umask)


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_symbolic_link_is_followed(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert target.read_text("utf-8") == "new"


# --- communities_to_json -------------------------------------------------------------------


def test_communities_to_json_is_versioned_and_readable() -> None:
    sample = cssp.load_sample()
    text = communities_to_json(sample)
    document = json.loads(text)
    assert document["schema_version"] == SCHEMA_VERSION == 1
    assert len(document["communities"]) == len(sample)
    assert sample[0].name in text  # Chinese is written as it is, not escaped
    assert text.endswith("\n")


def test_communities_to_json_round_trips(tmp_path: Path) -> None:
    sample = cssp.load_sample()
    path = tmp_path / "sample.json"
    write_atomic(path, communities_to_json(sample))
    assert read_communities(path) == sample


def test_communities_to_json_takes_any_iterable() -> None:
    sample = cssp.load_sample()
    assert communities_to_json(iter(sample)) == communities_to_json(list(sample))
    assert json.loads(communities_to_json([]))["communities"] == []
