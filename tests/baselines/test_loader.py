from pathlib import Path

import pytest

from verifier.baselines import loader
from verifier.errors import BaselineError

CHECK = """
  - id: linux.a.b
    title: t
    severity: high
    rationale: r
    fact: a.b
    operator: eq
    expected: true
"""


def _write(root: Path, name: str, version: str, body: str) -> Path:
    path = root / name / f"{version}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def _load(root: Path, spec: str) -> object:
    return loader.load(spec, extra_dirs=[root])


def test_bundled_default_resolves_with_hash() -> None:
    baseline = loader.load()
    assert baseline.name == "msp-standard"
    assert len(baseline.sha256) == 64
    assert len([c for c in baseline.checks if "linux" in c.platforms]) >= 20


def test_newest_version_wins(tmp_path: Path) -> None:
    for version in ("1.2.0", "1.10.0", "1.9.1"):
        _write(tmp_path, "b", version, f"name: b\nversion: {version}\nchecks:{CHECK}")
    assert loader.load("b", extra_dirs=[tmp_path]).version == "1.10.0"
    assert loader.load("b@1.2.0", extra_dirs=[tmp_path]).version == "1.2.0"


def test_unknown_name_and_version(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="unknown baseline 'nope'"):
        _load(tmp_path, "nope")
    with pytest.raises(BaselineError, match="available versions of msp-standard"):
        _load(tmp_path, "msp-standard@0.0.1")


def test_schema_error_names_file_line_and_field(tmp_path: Path) -> None:
    body = f"name: b\nversion: 1.0.0\nchecks:{CHECK}  - id: linux.a.c\n    title: t\n"
    body += (
        "    severity: urgent\n    rationale: r\n    fact: a\n    operator: eq\n    expected: 1\n"
    )
    path = _write(tmp_path, "b", "1.0.0", body)
    with pytest.raises(BaselineError) as err:
        _load(tmp_path, "b")
    assert str(err.value).startswith(f"{path}:13: checks[1].severity:")


def test_unknown_operator(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "b", "1.0.0", "name: b\nversion: 1.0.0\nchecks:" + CHECK.replace("eq", "eqq")
    )
    with pytest.raises(
        BaselineError, match=rf"{path}:9: checks\[0\]\.operator: unknown operator 'eqq'"
    ):
        _load(tmp_path, "b")


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "b", "1.0.0", "name: b\nversion: 1.0.0\nchecks: [\n")
    with pytest.raises(BaselineError, match=rf"{path}:4: invalid YAML"):
        _load(tmp_path, "b")


def test_duplicate_ids_and_missing_expected(tmp_path: Path) -> None:
    _write(tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.0\nchecks:{CHECK}{CHECK}")
    with pytest.raises(BaselineError, match=r"duplicate check id 'linux.a.b'"):
        _load(tmp_path, "b")
    _write(
        tmp_path,
        "c",
        "1.0.0",
        "name: c\nversion: 1.0.0\nchecks:" + CHECK.replace("    expected: true\n", ""),
    )
    with pytest.raises(BaselineError, match="needs an 'expected' value"):
        _load(tmp_path, "c")


def test_fleet_operator_needs_fleet_scope(tmp_path: Path) -> None:
    _write(
        tmp_path, "b", "1.0.0", "name: b\nversion: 1.0.0\nchecks:" + CHECK.replace("eq", "uniform")
    )
    with pytest.raises(BaselineError, match="cannot be used in a host-scope check"):
        _load(tmp_path, "b")


def test_extends_replaces_removes_and_appends(tmp_path: Path) -> None:
    parent = f"name: base\nversion: 1.0.0\nchecks:{CHECK}{CHECK.replace('linux.a.b', 'linux.a.c')}"
    _write(tmp_path, "base", "1.0.0", parent)
    child_check = CHECK.replace("title: t", "title: child").replace("linux.a.b", "linux.a.b")
    child = (
        "name: child\nversion: 2.0.0\nextends: base@1.0.0\nremove: [linux.a.c]\nchecks:"
        + child_check
        + CHECK.replace("linux.a.b", "linux.a.d")
    )
    _write(tmp_path, "child", "2.0.0", child)
    baseline = loader.load("child", extra_dirs=[tmp_path])
    assert [(c.id, c.title) for c in baseline.checks] == [
        ("linux.a.b", "child"),
        ("linux.a.d", "t"),
    ]
    assert len(baseline.sources) == 2


def test_extends_errors(tmp_path: Path) -> None:
    _write(tmp_path, "a", "1.0.0", f"name: a\nversion: 1.0.0\nextends: b@1.0.0\nchecks:{CHECK}")
    _write(tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.0\nextends: a@1.0.0\nchecks:{CHECK}")
    with pytest.raises(BaselineError, match="'extends' cycle"):
        _load(tmp_path, "a")
    path = _write(
        tmp_path, "c", "1.0.0", f"name: c\nversion: 1.0.0\nextends: zz@1.0.0\nchecks:{CHECK}"
    )
    with pytest.raises(BaselineError, match=rf"{path}:3: extends: unknown baseline 'zz'"):
        _load(tmp_path, "c")


def test_hash_changes_with_content(tmp_path: Path) -> None:
    _write(tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.0\nchecks:{CHECK}")
    first = loader.load("b", extra_dirs=[tmp_path]).sha256
    _write(
        tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.0\nchecks:{CHECK.replace('true', 'false')}"
    )
    assert loader.load("b", extra_dirs=[tmp_path]).sha256 != first


def test_version_must_match_file_name(tmp_path: Path) -> None:
    _write(tmp_path, "b", "1.0.0", f"name: b\nversion: 1.0.1\nchecks:{CHECK}")
    with pytest.raises(BaselineError, match=r"file is named 1\.0\.0\.yml"):
        _load(tmp_path, "b@1.0.0")
