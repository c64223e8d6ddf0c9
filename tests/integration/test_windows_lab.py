"""Windows hosts through the real CLI: Ansible's winrm plugin (pywinrm, NTLM with message
encryption and Basic) against the lab's WS-Management endpoint serving recorded profiles."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import lab
from tests.integration.verify_run import Run, run_verify

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("host", "status", "message"),
    [
        ("win-xp", "reachable", ""),
        ("win-11-25h2", "reachable", ""),
        ("win-2022", "reachable", ""),
        ("win-halfway", "reachable", ""),
        ("win-garbage", "error", "not JSON"),
        ("win-unreachable", "unreachable", "refused"),
        ("win-wrong-password", "auth_failed", "credentials were rejected"),
    ],
)
def test_host_status(full_run: Run, host: str, status: str, message: str) -> None:
    result = full_run.host(host)
    assert result["status"] == status, result["message"]
    assert message in result["message"]


@pytest.mark.parametrize(
    ("host", "check", "status"),
    [
        # End of life: XP, 7, 10 22H2, 2008 R2 and 11 23H2 Enterprise (ended 2026-11-10) fail.
        ("win-xp", "win.os.supported", "fail"),
        ("win-7", "win.os.supported", "fail"),
        ("win-10", "win.os.supported", "fail"),
        ("win-11-23h2", "win.os.supported", "fail"),
        ("win-2008r2", "win.os.supported", "fail"),
        ("win-11-25h2", "win.os.supported", "pass"),
        ("win-2022", "win.os.supported", "pass"),
        # PowerShell 2.0 hosts answer the same script: real facts, not a wholesale failure.
        ("win-xp", "win.accounts.guest_disabled", "fail"),
        ("win-xp", "win.uac.enabled", "fail"),
        ("win-xp", "win.smb.v1_disabled", "fail"),
        ("win-xp", "win.license.activated", "pass"),
        ("win-7", "win.firewall.active", "pass"),
        ("win-7", "win.rdp.nla", "fail"),
        # Sections an old Windows cannot answer are unknown, never pass.
        ("win-xp", "win.bitlocker.workstation", "unknown"),
        ("win-7", "win.bitlocker.workstation", "unknown"),
        ("win-10", "win.bitlocker.workstation", "fail"),
        ("win-10", "win.firewall.active", "fail"),
        ("win-10", "win.updates.recent", "fail"),  # daily signature updates do not count
        ("win-10", "win.password.lockout", "fail"),
        ("win-11-23h2", "win.antivirus.signatures", "fail"),
        ("win-11-23h2", "win.disks.space", "fail"),
        ("win-11-23h2", "win.updates.reboot_pending", "fail"),
        ("win-2008r2", "win.license.activated", "fail"),
        ("win-2008r2", "win.firewall.active", "fail"),
        ("win-2008r2", "win.backup.agent_running", "pass"),
        ("win-2022", "win.antivirus.realtime", "pass"),  # Defender on a server, no SecurityCenter2
        ("win-2022", "win.backup.agent_installed", "pass"),
        ("win-2022", "win.rdp.nla", "pass"),
        # Server checks skip workstations and the other way round.
        ("win-2022", "win.bitlocker.workstation", "skipped"),
        ("win-11-25h2", "win.backup.agent_installed", "skipped"),
        # The host whose script died half-way keeps what it reported.
        ("win-halfway", "win.os.supported", "fail"),
        ("win-halfway", "win.license.activated", "pass"),
        ("win-halfway", "win.firewall.active", "unknown"),
        ("win-halfway", "win.antivirus.running", "unknown"),
        ("win-garbage", "win.os.supported", "unknown"),
    ],
)
def test_windows_check_status(full_run: Run, host: str, check: str, status: str) -> None:
    assert full_run.status(host, check) == status, full_run.result(host, check)


def test_compliant_windows_11_passes_everything(full_run: Run) -> None:
    statuses = {c["id"]: c["status"] for c in full_run.host("win-11-25h2")["checks"]}
    windows = {k: v for k, v in statuses.items() if k.startswith("win.") and v != "skipped"}
    assert len(windows) >= 20
    assert set(windows.values()) == {"pass"}, {k: v for k, v in windows.items() if v != "pass"}


def test_duplicate_retail_key_is_flagged_on_both_hosts(full_run: Run) -> None:
    for host in ("win-10", "win-halfway"):
        result = full_run.result(host, "win.fleet.license_unique")
        assert result["status"] == "fail"
    assert "win-halfway" in str(full_run.result("win-10", "win.fleet.license_unique")["evidence"])
    assert full_run.status("win-11-25h2", "win.fleet.license_unique") == "skipped"  # KMS key


def test_halfway_failure_is_recorded_as_probe_errors(full_run: Run) -> None:
    errors = full_run.host("win-halfway")["probe_errors"]
    assert "stopped before the end" in errors["incomplete"]
    assert "collection" in errors  # the script's own exit status and stderr


def test_only_five_characters_of_any_product_key(full_run: Run) -> None:
    keys = [
        c["actual"]
        for host in full_run.report["hosts"]
        for c in host["checks"]
        if c["id"] == "win.fleet.license_unique" and c["status"] in ("pass", "fail")
    ]
    assert keys and all(isinstance(k, str) and len(k) == 5 for k in keys)


def test_no_windows_password_anywhere(full_run: Run, lab_network: lab.Lab) -> None:
    texts = [full_run.stdout, full_run.stderr]
    texts += [p.read_text(errors="replace") for p in full_run.workdir.rglob("*") if p.is_file()]
    for text in texts:
        assert lab.CANARY_PASSWORD not in text


def test_psrp_hosts_go_through_ansibles_psrp_plugin(tmp_path: Path) -> None:
    # No PSRP endpoint in the lab: a closed loopback port shows the plugin is wired in and a
    # failure is a host status, never a pass.
    inventory = tmp_path / "psrp.yml"
    inventory.write_text(
        "all:\n  hosts:\n    ps1: {ansible_connection: psrp, ansible_host: 127.0.0.1, "
        f"ansible_port: {_closed_port()}, ansible_user: u, ansible_password: pw, "
        "ansible_psrp_protocol: http}\n",
        encoding="utf-8",
    )
    run = run_verify(inventory, tmp_path / "run")
    assert run.returncode == 3
    host = run.host("ps1")
    assert host["platform"] == "windows" and host["status"] == "unreachable"
    assert "PSRP" in host["message"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_https_host_is_reached_with_certificate_validation(full_run: Run, lab_network: lab.Lab) -> None:
    text = lab_network.inventory_path.read_text(encoding="utf-8")
    assert "ansible_winrm_scheme: https" in text and "server_cert_validation: validate" in text
    assert full_run.host("win-2022")["status"] == "reachable"
