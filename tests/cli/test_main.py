"""The CLI's bad-input paths: one line on stderr, a documented exit code, no traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

VERIFY = [sys.executable, "-m", "verifier"]


def _verify(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VERIFY, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["baseline", "--inventory", "nope.yml"], "nope.yml: inventory not found"),
        (["baseline", "-i", "inv.yml", "--baseline", "ghost"], "unknown baseline 'ghost'"),
        (["baseline", "-i", "bad.yml"], "bad.yml:3: invalid inventory: YAML parsing failed"),
        (["baselines", "validate", "broken.yml"], "broken.yml:4: checks[0].severity:"),
        (["baselines", "show", "msp-standard@0.0.0"], "unknown version 'msp-standard@0.0.0'"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "inv.yml").write_text("all:\n  hosts:\n    a: {}\n", encoding="utf-8")
    (tmp_path / "bad.yml").write_text("all:\n  hosts: [\n", encoding="utf-8")
    (tmp_path / "broken.yml").write_text(
        "name: x\nversion: 1.0.0\nchecks:\n  - {id: a.b, title: t, severity: huge, rationale: r, fact: f, operator: eq, expected: 1}\n",
        encoding="utf-8",
    )
    result = _verify(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_traceback(tmp_path: Path) -> None:
    result = _verify("baseline", "--inventory", "nope.yml", "--debug", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["baseline"], "give exactly one of --inventory and --from-captures"),
        (["collect", "-i", "x.yml"], "Missing option '--out'"),
        (["baseline", "--from-captures", "nowhere"], "nowhere: capture folder not found"),
        (["baseline", "-i", "x.yml", "--forks", "0"], "Invalid value for '--forks'"),
        (["baseline", "-i", "x.yml", "--format", "xml"], "Invalid value for '--format'"),
        (["nonsense"], "No such command 'nonsense'"),
        (["baselines", "validate", "missing.yml"], "missing.yml: baseline file not found"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: list[str], message: str) -> None:
    result = _verify(*args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_baselines_show_json() -> None:
    import json

    result = _verify("baselines", "show", "msp-standard", "--format", "json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["name"] == "msp-standard" and len(shown["sha256"]) == 64
    assert {"id", "title", "severity", "applies_to"} <= set(shown["checks"][0])


def test_validate_good_baseline() -> None:
    path = Path(__file__).parents[2] / "baselines" / "msp-standard" / "1.0.0.yml"
    result = _verify("baselines", "validate", str(path))
    assert result.returncode == 0 and "valid (msp-standard@1.0.0" in result.stdout
