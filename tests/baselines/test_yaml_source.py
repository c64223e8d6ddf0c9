from pathlib import Path

import pytest

from verifier.baselines.yaml_source import load_yaml
from verifier.errors import BaselineError


def test_line_of_nested_location(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("a: 1\nlist:\n  - k: v\n  - k: w\n    deep: 2\n", encoding="utf-8")
    doc = load_yaml(path)
    assert doc.line_of(["list", 1, "deep"]) == 5
    assert doc.line_of(["list", 1, "absent"]) == 4
    assert doc.where(["a"]) == f"{path}:1"


def test_empty_and_unreadable(tmp_path: Path) -> None:
    empty = tmp_path / "e.yml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(BaselineError, match="empty file"):
        load_yaml(empty)
    with pytest.raises(BaselineError, match="cannot read"):
        load_yaml(tmp_path / "missing.yml")
