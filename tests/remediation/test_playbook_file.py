import json
from pathlib import Path

import pytest

from verifier.baselines.loader import load
from verifier.errors import InputError
from verifier.models import Platform
from verifier.remediation.playbook_file import plan_from_report, role_platforms, write_playbook


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


def test_role_platforms_come_from_the_shipped_roles(tmp_path: Path) -> None:
    for role in ("network_management_plane", "network_snmp", "network_ntp_syslog", "network_config_save"):
        assert role_platforms(role) == frozenset({"ios", "eos"}), role
    assert role_platforms("ssh_hardening") is None  # not a network role: any host
    assert role_platforms("no_such_role") is None
    broken = tmp_path / "odd" / "vars"
    broken.mkdir(parents=True)
    (broken / "main.yml").write_text("odd_platforms: ios\n", encoding="utf-8")
    assert role_platforms("odd", tmp_path) is None  # not a list: ignored


def test_network_report_plans_the_network_roles(tmp_path: Path) -> None:
    resolved = load("msp-standard@1.3.0")
    document = {
        "baseline": {"name": "msp-standard", "version": "1.3.0", "sha256": resolved.sha256},
        "hosts": [{"name": "rtr", "platform": "network", "checks": [
            {"id": "net.mgmt.telnet_disabled", "status": "fail"},
            {"id": "net.snmp.v3_only", "status": "fail"},
            {"id": "net.ntp.configured", "status": "fail"},
        ]}],
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = plan_from_report(path)
    calls = result.plays[Platform.NETWORK]
    assert [(c.check.id, c.role) for c in calls] == [
        ("net.mgmt.telnet_disabled", "network_management_plane"),
        ("net.ntp.configured", "network_ntp_syslog"),
    ]
    assert calls[0].vars == {"network_telnet_enabled": False}
    assert [m.check.id for m in result.manual] == ["net.snmp.v3_only"]
