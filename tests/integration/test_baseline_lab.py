"""`verify baseline` end to end: the real CLI, ansible-runner, real sshd lab hosts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import lab
from tests.integration.verify_run import CANARIES, VERIFY, Run, run_verify
from verifier.inventory.loader import load_hosts
from verifier.reporters.json_report import SCHEMA_PATH

pytestmark = pytest.mark.integration


def test_exit_code_is_1_when_checks_fail(full_run: Run) -> None:
    assert full_run.returncode == 1, full_run.stderr
    assert json.loads(full_run.stdout) == full_run.report


def test_report_matches_its_schema(full_run: Run, lab_network: lab.Lab) -> None:
    jsonschema.validate(full_run.report, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert full_run.report["baseline"]["name"] == "msp-standard"
    # Every inventory host is in the report, each exactly once.
    names = [h["name"] for h in full_run.report["hosts"]]
    assert sorted(names) == sorted(h.name for h in load_hosts(lab_network.inventory_path))
    assert full_run.report["summary"]["hosts"] == len(names)


@pytest.mark.parametrize(
    ("host", "status", "message"),
    [
        ("legacy-ubuntu", "reachable", ""),
        ("files-debian", "reachable", ""),
        ("erp-rocky", "reachable", ""),
        ("refused", "unreachable", "Connection refused"),
        ("wrong-key", "auth_failed", "Permission denied (publickey)"),
        ("wrong-password", "auth_failed", "Permission denied"),
        ("blackhole", "timeout", "timed out"),
    ],
)
def test_host_status(full_run: Run, host: str, status: str, message: str) -> None:
    result = full_run.host(host)
    assert result["status"] == status, result["message"]
    assert message in result["message"]


@pytest.mark.parametrize("host", ["refused", "wrong-key", "wrong-password", "blackhole"])
def test_unreachable_hosts_never_pass(full_run: Run, host: str) -> None:
    statuses = {c["status"] for c in full_run.host(host)["checks"]}
    assert statuses <= {"unknown", "skipped"} and "unknown" in statuses


LEGACY_FAILS = [
    "linux.os.supported",
    "linux.updates.security_pending",
    "linux.updates.auto_updates",
    "linux.updates.recent",
    "linux.firewall.active",
    "linux.ssh.root_login",
    "linux.ssh.password_auth",
    "linux.ssh.weak_ciphers",
    "linux.ssh.max_auth_tries",
    "linux.ssh.x11_forwarding",
    "linux.accounts.uid0_non_root",
    "linux.accounts.empty_password",
    "linux.accounts.nopasswd_sudo",
    "linux.accounts.admin_count",
    "linux.time.sync_running",
    "linux.antivirus.running",
]
DEBIAN_PASSES = [
    "linux.os.supported",
    "linux.updates.security_pending",
    "linux.updates.pending",
    "linux.updates.auto_updates",
    "linux.updates.recent",
    "linux.firewall.active",
    "linux.ssh.root_login",
    "linux.ssh.password_auth",
    "linux.ssh.empty_passwords",
    "linux.ssh.protocol",
    "linux.ssh.weak_ciphers",
    "linux.ssh.max_auth_tries",
    "linux.ssh.x11_forwarding",
    "linux.accounts.uid0_non_root",
    "linux.accounts.empty_password",
    "linux.accounts.nopasswd_sudo",
    "linux.accounts.admin_count",
    "linux.time.sync_running",
    "linux.antivirus.running",
    "linux.backup.agent_installed",
    "linux.backup.agent_running",
]


@pytest.mark.parametrize("check", LEGACY_FAILS)
def test_legacy_ubuntu_fails(full_run: Run, check: str) -> None:
    assert full_run.status("legacy-ubuntu", check) == "fail"


@pytest.mark.parametrize("check", DEBIAN_PASSES)
def test_compliant_debian_passes(full_run: Run, check: str) -> None:
    assert full_run.status("files-debian", check) == "pass"


def test_evidence_is_concrete(full_run: Run) -> None:
    uid0 = full_run.result("legacy-ubuntu", "linux.accounts.uid0_non_root")
    assert uid0["actual"] == ["toor"]
    assert uid0["evidence"] == {"accounts.uid0_non_root": ["toor"]}
    assert full_run.result("legacy-ubuntu", "linux.accounts.empty_password")["actual"] == ["guest"]
    assert full_run.result("legacy-ubuntu", "linux.os.supported")["actual"] == "eol"
    assert full_run.result("legacy-ubuntu", "linux.updates.security_pending")["actual"] == 3
    assert full_run.result("legacy-ubuntu", "linux.updates.pending")["actual"] == 5
    assert full_run.result("files-debian", "linux.antivirus.running")["actual"] == ["clamav"]


def test_rocky_without_a_package_manager_is_unknown_not_pass(full_run: Run) -> None:
    assert full_run.status("erp-rocky", "linux.os.supported") == "pass"
    assert full_run.status("erp-rocky", "linux.ssh.root_login") == "pass"  # prohibit-password
    assert full_run.status("erp-rocky", "linux.firewall.active") == "pass"
    for check in ("linux.updates.pending", "linux.updates.security_pending"):
        result = full_run.result("erp-rocky", check)
        assert result["status"] == "unknown"
        assert "no supported package manager" in result["message"]
    assert "updates" in full_run.host("erp-rocky")["probe_errors"]


def test_fleet_check_flags_two_security_platforms(full_run: Run) -> None:
    check = "fleet.security_agent_uniform"
    assert full_run.status("files-debian", check) == "fail"
    assert full_run.status("erp-rocky", check) == "fail"
    assert full_run.status("legacy-ubuntu", check) == "skipped"  # no agent at all: its own check


def test_no_secret_anywhere(full_run: Run) -> None:
    texts = [full_run.stdout, full_run.stderr]
    texts += [
        p.read_text(encoding="utf-8", errors="replace")
        for p in full_run.workdir.rglob("*")
        if p.is_file()
    ]
    for canary in CANARIES:
        assert not any(canary in t for t in texts), f"{canary} leaked"


def test_only_unreachable_hosts_exit_3(lab_network: lab.Lab, tmp_path: Path) -> None:
    run = run_verify(lab_network.inventory_path, tmp_path, "--limit", "refused:blackhole")
    assert run.returncode == 3, run.stderr
    assert {h["status"] for h in run.report["hosts"]} == {"unreachable", "timeout"}
    assert "refused" in run.stdout and "Not verified" in run.stdout


def test_console_report(lab_network: lab.Lab, tmp_path: Path) -> None:
    run = run_verify(lab_network.inventory_path, tmp_path, "--limit", "legacy-ubuntu")
    assert run.returncode == 1
    assert "msp-standard@1.3.0" in run.stdout
    assert "CRITICAL linux.os.supported" in run.stdout
    assert 'expected eq "supported"  actual "eol"' in run.stdout
    assert "Traceback" not in run.stderr


def test_interrupted_run_writes_partial_report(lab_network: lab.Lab, tmp_path: Path) -> None:
    import signal
    import time

    env = lab.ansible_env(tmp_path / "ansible", Path(sys.executable).parent)
    report = tmp_path / "report.json"
    proc = subprocess.Popen(
        [
            *VERIFY,
            "baseline",
            "-i",
            str(lab_network.inventory_path),
            "--limit",
            "files-debian:blackhole",
            "--timeout",
            "120",
            "-o",
            str(report),
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(15)  # files-debian is long collected; blackhole waits 120 s for a banner
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: the whole foreground process group
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["interrupted"] is True
    hosts = {h["name"]: h for h in document["hosts"]}
    assert hosts["blackhole"]["status"] == "error"
    assert hosts["blackhole"]["message"] == "run interrupted"
    # The host that finished before Ctrl-C keeps its real results.
    assert hosts["files-debian"]["status"] == "reachable"
    assert {c["status"] for c in hosts["files-debian"]["checks"]} & {"pass", "fail"}
    assert "Traceback" not in stderr


def test_no_ssh_master_outlives_the_run(full_run: Run) -> None:
    import tempfile

    private_prefix = os.path.join(tempfile.gettempdir(), "verify-")
    lingering = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text.startswith("ssh: " + private_prefix) and "[mux]" in text:
            lingering.append(text)
    assert not lingering


def test_host_answering_garbage_is_an_error_and_the_run_goes_on(
    lab_network: lab.Lab, tmp_path: Path
) -> None:
    import yaml

    inventory = yaml.safe_load(lab_network.inventory_path.read_text(encoding="utf-8"))
    linux = inventory["all"]["children"]["linux"]["hosts"]
    # The same real host, but the "Python" it runs answers with an echo instead of JSON.
    linux["garbage"] = {**linux["files-debian"], "ansible_python_interpreter": "/bin/echo"}
    patched = tmp_path / "inventory.yml"
    patched.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    run = run_verify(patched, tmp_path, "--limit", "garbage:files-debian")
    garbage = run.host("garbage")
    assert garbage["status"] == "error", garbage["message"]
    assert {c["status"] for c in garbage["checks"]} <= {"unknown", "skipped"}
    assert run.host("files-debian")["status"] == "reachable"
    assert run.returncode == 1 and "Traceback" not in run.stderr
