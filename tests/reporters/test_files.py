"""write_atomic: a reader sees the old file or the new one, never half of one or a temp file."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.reporters.files import write_atomic


def test_writes_utf8_and_creates_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "out" / "nested" / "drift.json"
    write_atomic('{"host": "café ✓"}\n', path)
    assert path.read_bytes() == '{"host": "café ✓"}\n'.encode()
    assert [p.name for p in path.parent.iterdir()] == ["drift.json"]


def test_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old report, longer than the new one\n", encoding="utf-8")
    (tmp_path / "other.txt").write_text("untouched", encoding="utf-8")

    with path.open(encoding="utf-8") as reader:  # a reader that opened the old report
        write_atomic("new\n", path)
        assert reader.read() == "old report, longer than the new one\n"

    assert path.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.txt", "report.json"]


def test_a_failed_write_keeps_the_target_and_removes_its_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.mkdir()  # os.replace cannot put a file over a directory
    (target / "inside").write_text("x", encoding="utf-8")

    with pytest.raises(OSError):
        write_atomic("new\n", target)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert target.is_dir() and (target / "inside").read_text(encoding="utf-8") == "x"
