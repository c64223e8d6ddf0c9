"""The loop the product exists for, on a real lab host: verify -> remediation playbook ->
apply (check mode first) -> re-verify, and idempotence of a second apply.

The host is the legacy Ubuntu 16.04 profile, logged in to as an MSP engineer would: a named
admin account (``lab.ADMIN_USER``, key authentication) that becomes root with sudo and its
password (``ansible_become``), so ssh_hardening may forbid root logins. Before the loop, the
host is made able to install packages the way the role tests do (``prepare_host``): overlays
over its ``/usr`` and ``/var`` (installs never reach this machine), the lab's pending
upgrades as real packages, and stand-in ``unattended-upgrades``, ``chrony``,
``clamav-freshclam``/``clamav-daemon`` packages (real names, programs and init scripts; the
daemons keep no time and scan nothing).

Then every automatable Linux check that fails on that host (a baseline remediation role)
goes from fail to pass with no ``--tags``: the whole generated playbook. What stays failing
is manual (an end-of-life release, a second UID 0 account, NOPASSWD sudo, too many admins, no
disk encryption); linux.time.synchronized stays unknown (nothing synchronises a clock in the
lab) and so is not in the playbook.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import lab
from tests.conftest import lab_missing
from tests.integration.verify_run import CANARIES, VERIFY
from tests.roles.lab_packages import prepare_host

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "baselines" / "msp-standard" / "1.0.0.yml"
HOST = "legacy-ubuntu"
FIXABLE = {
    "linux.updates.security_pending",
    "linux.updates.auto_updates",
    "linux.updates.recent",
    "linux.firewall.active",
    "linux.ssh.root_login",
    "linux.ssh.password_auth",
    "linux.ssh.weak_ciphers",
    "linux.ssh.max_auth_tries",
    "linux.ssh.x11_forwarding",
    "linux.accounts.empty_password",
    "linux.time.sync_running",
    "linux.antivirus.running",
}
MANUAL = {
    "linux.os.supported",
    "linux.accounts.uid0_non_root",
    "linux.accounts.nopasswd_sudo",
    "linux.accounts.admin_count",
    "linux.disks.root_encrypted",
}


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab.Lab]:
    """A lab of its own: remediation changes the host (inside its overlays)."""
    reason = lab_missing()
    if reason:
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("remediation-lab")
    the_lab = lab.up(state, hosts=[lab.HostSpec(HOST, "ubuntu1604", login="admin")])
    try:
        stand_ins = ["upgrades", "unattended-upgrades", "chrony", "clamav"]
        prepare_host(the_lab, HOST, tmp_path_factory.mktemp("packages"), stand_ins)
        yield the_lab
    finally:
        lab.down(state)


def _verify(args: list[str], workdir: Path) -> subprocess.CompletedProcess[str]:
    env = lab.ansible_env(workdir / "ansible", BIN)
    return subprocess.run(
        [*VERIFY, *args], capture_output=True, text=True, env=env, cwd=workdir, timeout=900
    )


def _statuses(report: Path, prefix: str) -> dict[str, str]:
    document = json.loads(report.read_text(encoding="utf-8"))
    [host] = document["hosts"]
    return {c["id"]: c["status"] for c in host["checks"] if c["id"].startswith(prefix)}


def _automatable() -> set[str]:
    """Linux checks whose baseline remediation is a role this installation ships."""
    doc = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    return {
        c["id"]
        for c in doc["checks"]
        if c["id"].startswith("linux.")
        and (c.get("remediation") or {}).get("role")
        and (REPO / "roles" / c["remediation"]["role"] / "tasks" / "main.yml").is_file()
    }


def test_inventory_logs_in_as_a_named_admin_with_sudo(legacy: lab.Lab) -> None:
    inventory = yaml.safe_load(legacy.inventory_path.read_text())
    hostvars = inventory["all"]["children"]["linux"]["hosts"][HOST]
    assert hostvars["ansible_user"] == lab.ADMIN_USER
    assert hostvars["ansible_become"] is True
    assert hostvars["ansible_become_method"] == "sudo"
    assert "ansible_ssh_private_key_file" in hostvars
    assert legacy.hosts[HOST].login == "admin"


def test_verify_fix_reverify(legacy: lab.Lab, tmp_path: Path) -> None:
    inventory = str(legacy.inventory_path)
    outputs: list[str] = []
    first = _verify(
        [
            "baseline",
            "-i",
            inventory,
            "-b",
            "msp-standard@1.0.0",
            "--timeout",
            "5",
            "-o",
            "before.json",
            "--remediation",
            "remediation.yml",
        ],
        tmp_path,
    )
    outputs.append(first.stdout + first.stderr)
    assert first.returncode == 1, first.stderr
    before = _statuses(tmp_path / "before.json", "linux.")
    failing = {c for c, s in before.items() if s == "fail"}
    # Every automatable check that fails here is one this test fixes, and nothing else fails
    # but the manual ones.
    assert failing & _automatable() == FIXABLE, before
    assert failing - FIXABLE == MANUAL, before
    assert before["linux.time.synchronized"] == "unknown"
    playbook = tmp_path / "remediation.yml"
    text = playbook.read_text(encoding="utf-8")
    header = text.split("---")[0]
    assert "import_role" in text and all(m in header for m in MANUAL)
    assert "linux.time.synchronized" not in text  # unknown: never planned

    syntax = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", inventory, str(playbook), "--syntax-check"],
        capture_output=True,
        text=True,
        env=lab.ansible_env(tmp_path / "a", BIN),
        timeout=300,
    )
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr

    # Check mode first: nothing may change.
    check = _verify(
        [
            "remediate",
            "apply",
            str(playbook),
            "-i",
            inventory,
            "--check",
            "--timeout",
            "5",
        ],
        tmp_path,
    )
    outputs.append(check.stdout + check.stderr)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Check mode: nothing was changed" in check.stdout
    still = _verify(
        [
            "baseline",
            "-i",
            inventory,
            "-b",
            "msp-standard@1.0.0",
            "--timeout",
            "5",
            "-o",
            "still.json",
        ],
        tmp_path,
    )
    outputs.append(still.stdout + still.stderr)
    assert {
        c for c, s in _statuses(tmp_path / "still.json", "linux.").items() if s == "fail"
    } == failing

    applied = _verify(
        ["remediate", "apply", str(playbook), "-i", inventory, "--timeout", "5"], tmp_path
    )
    outputs.append(applied.stdout + applied.stderr)
    assert "ansible-playbook: successful" in applied.stdout, applied.stdout + applied.stderr
    after_run = _verify(
        [
            "baseline",
            "-i",
            inventory,
            "-b",
            "msp-standard@1.0.0",
            "--timeout",
            "5",
            "-o",
            "after.json",
        ],
        tmp_path,
    )
    outputs.append(after_run.stdout + after_run.stderr)
    after = _statuses(tmp_path / "after.json", "linux.")
    assert {c: after[c] for c in FIXABLE} == dict.fromkeys(FIXABLE, "pass"), after
    assert {c for c, s in after.items() if s == "fail"} == MANUAL, after
    assert after["linux.time.synchronized"] == "unknown"
    assert applied.returncode == 0, applied.stdout  # every attempted check now passes
    for check_id in FIXABLE:
        assert check_id in applied.stdout  # the before/after table names every fixed check

    again = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", inventory, str(playbook)],
        capture_output=True,
        text=True,
        env=lab.ansible_env(tmp_path / "b", BIN),
        timeout=900,
    )
    outputs.append(again.stdout + again.stderr)
    assert again.returncode == 0, again.stdout
    assert f"{HOST}" in again.stdout and "changed=0" in again.stdout, again.stdout  # idempotent
    for canary in CANARIES:  # the sudo password is CANARY_BECOME_PASSWORD
        assert not any(canary in out for out in outputs), canary
