"""Network devices through the real CLI: netmiko against the lab's SSH device simulators, in
the same run as the Linux and Windows hosts; `verify collect` and `--from-captures`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import lab
import lab.netsim as netsim
from tests.integration.verify_run import VERIFY, Run

pytestmark = pytest.mark.integration

SECRETS = sorted({s for p in netsim.PROFILES.values() for s in p.secrets})


@pytest.mark.parametrize(
    ("host", "status", "message"),
    [
        ("core-sw", "reachable", ""),
        ("office-mikrotik", "reachable", ""),
        ("hang-sw", "error", "did not answer the expected prompt"),
        ("wrong-pw-rtr", "auth_failed", "authentication failed"),
        ("net-refused", "unreachable", "Unable to connect"),
    ],
)
def test_host_status(full_run: Run, host: str, status: str, message: str) -> None:
    result = full_run.host(host)
    assert result["status"] == status, result["message"]
    assert message in result["message"]
    assert result["platform"] == "network"


@pytest.mark.parametrize(
    ("host", "check", "status"),
    [
        ("core-sw", "net.os.supported", "pass"),
        ("branch-rtr", "net.os.supported", "fail"),  # IOS 15.2
        ("old-fw", "net.os.supported", "fail"),  # FortiOS 6.0
        ("edge-fw", "net.os.supported", "pass"),
        ("branch-rtr", "net.mgmt.telnet_disabled", "fail"),
        ("old-fw", "net.mgmt.telnet_disabled", "fail"),
        ("office-mikrotik", "net.mgmt.telnet_disabled", "fail"),
        ("core-sw", "net.mgmt.telnet_disabled", "pass"),
        ("branch-rtr", "net.snmp.no_default_community", "fail"),
        ("old-fw", "net.snmp.no_default_community", "fail"),
        ("office-mikrotik", "net.snmp.no_default_community", "fail"),
        ("core-sw", "net.snmp.no_default_community", "pass"),
        ("branch-rtr", "net.config.saved", "fail"),
        ("dist-eos", "net.config.saved", "fail"),
        ("dc-asa", "net.config.saved", "fail"),
        ("core-sw", "net.config.saved", "pass"),
        ("branch-rtr", "net.mgmt.ssh_v2", "fail"),
        ("branch-rtr", "net.accounts.password_encryption", "fail"),
        ("core-sw", "net.accounts.password_encryption", "pass"),
        ("dist-eos", "net.mgmt.http_disabled", "fail"),
        ("wan-junos", "net.mgmt.http_disabled", "fail"),
        ("office-mikrotik", "net.mgmt.idle_timeout", "unknown"),  # RouterOS has none
        ("old-fw", "net.accounts.no_default_admin", "fail"),
        ("edge-fw", "net.accounts.no_default_admin", "pass"),
        ("hang-sw", "net.os.supported", "unknown"),
        # Network checks skip servers and workstations, and the other way round.
        ("files-debian", "net.os.supported", "skipped"),
        ("core-sw", "linux.os.supported", "skipped"),
        ("core-sw", "win.os.supported", "skipped"),
    ],
)
def test_network_check_status(full_run: Run, host: str, check: str, status: str) -> None:
    assert full_run.status(host, check) == status, full_run.result(host, check)


def test_compliant_switch_passes_everything(full_run: Run) -> None:
    checks = [c for c in full_run.host("core-sw")["checks"] if c["id"].startswith("net.")]
    failing = {c["id"]: c["status"] for c in checks if c["status"] not in ("pass", "skipped")}
    assert len(checks) >= 15 and failing == {}


def test_firewall_fleet_check_sees_two_vendors(full_run: Run) -> None:
    assert full_run.status("edge-fw", "net.fleet.firewall_uniform") in ("pass", "fail")
    statuses = {full_run.status(h, "net.fleet.firewall_uniform") for h in ("dc-asa", "edge-fw", "old-fw")}
    assert "fail" in statuses  # a Cisco ASA beside two FortiGates
    assert full_run.status("core-sw", "net.fleet.firewall_uniform") == "skipped"  # a switch


def test_no_device_secret_in_output_or_report(full_run: Run) -> None:
    texts = [full_run.stdout, full_run.stderr]
    texts += [p.read_text(errors="replace") for p in full_run.workdir.rglob("*") if p.is_file()]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, secret[:12]


def test_collect_then_evaluate_offline(lab_network: lab.Lab, tmp_path: Path) -> None:
    captures = tmp_path / "captures"
    env = lab.ansible_env(tmp_path / "ansible", Path(VERIFY[0]).parent)
    proc = subprocess.run(
        [*VERIFY, "collect", "-i", str(lab_network.inventory_path), "--out", str(captures),
         "--timeout", "5"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
    )
    # hang-sw, wrong-pw-rtr and net-refused cannot be captured: exit 3, the rest saved.
    assert proc.returncode == 3, proc.stderr
    lines = {tuple(ln.split(None, 1)) for ln in proc.stdout.splitlines() if ln.strip()}
    assert ("captured", "core-sw") in lines
    assert any(ln[0] == "auth_failed" and ln[1].startswith("wrong-pw-rtr:") for ln in lines)
    folders = {p.name for p in captures.iterdir()}
    assert folders == set(netsim.PROFILES)
    for path in captures.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert not [s for s in SECRETS if s in text], path
    # Offline: no inventory, no credentials, the same verdicts as the live run.
    offline = run_verify_captures(captures, tmp_path / "offline")
    assert offline.returncode == 1
    assert offline.status("branch-rtr", "net.snmp.no_default_community") == "fail"
    assert offline.status("branch-rtr", "net.mgmt.telnet_disabled") == "fail"
    assert offline.status("core-sw", "net.snmp.no_default_community") == "pass"
    assert offline.host("core-sw")["status"] == "reachable"


def run_verify_captures(captures: Path, workdir: Path) -> Run:
    workdir.mkdir(parents=True)
    proc = subprocess.run(
        [*VERIFY, "baseline", "--from-captures", str(captures), "-o", str(workdir / "report.json")],
        capture_output=True, text=True, cwd=workdir, timeout=600,
    )
    report = json.loads((workdir / "report.json").read_text(encoding="utf-8"))
    return Run(proc.returncode, proc.stdout, proc.stderr, report, workdir)


def test_captures_and_inventory_are_exclusive(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*VERIFY, "baseline"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert proc.returncode == 2 and "exactly one of --inventory and --from-captures" in proc.stderr
