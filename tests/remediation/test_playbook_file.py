import json
from pathlib import Path

import pytest

from verifier.baselines.loader import load
from verifier.errors import InputError
from verifier.remediation.playbook_file import plan_from_report, write_playbook


def _report(tmp_path: Path, sha256: str | None = None) -> Path:
    resolved = load("msp-standard@1.2.0")
    document = {
        "baseline": {"name": "msp-standard", "version": "1.2.0", "sha256": sha256 or resolved.sha256},
        "hosts": [{"name": "pc1", "platform": "windows", "checks": [
            {"id": "win.os.supported", "status": "fail"},
            {"id": "win.firewall.active", "status": "pass"},
        ]}],
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_plan_from_report_and_write(tmp_path: Path) -> None:
    result = plan_from_report(_report(tmp_path))
    assert [m.check.id for m in result.manual] == ["win.os.supported"]
    out = tmp_path / "sub" / "remediation.yml"
    write_playbook(result, out)
    assert "win.os.supported on pc1" in out.read_text(encoding="utf-8")


def test_a_changed_baseline_is_refused_unless_chosen(tmp_path: Path) -> None:
    report = _report(tmp_path, sha256="f" * 64)
    with pytest.raises(InputError, match="pass --baseline"):
        plan_from_report(report)
    assert plan_from_report(report, "msp-standard@1.2.0").manual


@pytest.mark.parametrize("content", ["{", "[]", "{\"hosts\": []}"])
def test_not_a_report(tmp_path: Path, content: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="not a verify JSON report"):
        plan_from_report(path)
    with pytest.raises(InputError, match="report not found"):
        plan_from_report(tmp_path / "missing.json")
