"""roles/ssh_hardening against a real lab sshd host (ubuntu1604 profile: legacy sshd config).

One host in its own lab (its /etc is an overlay owned by the lab, so the role really edits
/etc/ssh/sshd_config). One test, because each step needs the host as the previous one left it:

1. `verify baseline` before: several linux.ssh.* checks fail.
2. The role with every variable of the baseline's ssh remediations refuses to run for a play
   that logs in as root (PermitRootLogin no would refuse its next login) and changes nothing.
3. As the named admin `tempadmin` (sudo, no key yet) it refuses to turn password logins off.
4. With the lab key authorized for tempadmin and a real sshd listener started inside the host
   (no systemd there: the role must SIGHUP the pid file's pid), the role applies: the listener
   keeps its pid, offers publickey only, still lets tempadmin in with the key, refuses root.
5. `verify baseline` after: every linux.ssh.* check passes.
6. A second apply reports changed=0.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import lab
from tests.conftest import REPO, lab_missing

pytestmark = pytest.mark.integration

HOST = "legacy-ubuntu"
ADMIN = "tempadmin"  # in the profile's sudo group, NOPASSWD in /etc/sudoers.d/legacy
ADMIN_HOME = "/opt/home/tempadmin"  # /opt is one of the host's overlays
BASELINE = REPO / "baselines" / "msp-standard" / "1.0.0.yml"
ROLE = "ssh_hardening"
SSHD_LISTEN_PORT = 22  # inside the host's own network namespace


def remediation_vars() -> dict[str, Any]:
    """Every variable the baseline's linux.ssh.* remediations pass to the role."""
    doc = yaml.safe_load(BASELINE.read_text())
    merged: dict[str, Any] = {}
    for check in doc["checks"]:
        rem = check.get("remediation") or {}
        if check["id"].startswith("linux.ssh.") and rem.get("role") == ROLE:
            merged.update(rem.get("vars") or {})
    return merged


class Host:
    """The lab host, its inventory and helpers to run ansible / verify / commands in it."""

    def __init__(self, the_lab: lab.Lab, workdir: Path) -> None:
        self.lab = the_lab
        self.workdir = workdir
        self.init_pid = the_lab.hosts[HOST].init_pid
        self.env = lab.ansible_env(workdir / "ansible", Path(sys.executable).parent)
        self.env["ANSIBLE_ROLES_PATH"] = str(REPO / "roles")
        self.state: dict[str, Any] = {}
        inventory = yaml.safe_load(the_lab.inventory_path.read_text())
        hostvars = inventory["all"]["children"]["linux"]["hosts"][HOST]
        hostvars.update(ansible_user=ADMIN, ansible_become=True)
        self.admin_inventory = workdir / "admin-inventory.yml"
        self.admin_inventory.write_text(yaml.safe_dump(inventory, sort_keys=False))

    def path(self, inside: str) -> Path:
        """A file of the host as the host sees it (its mount namespace, overlays included)."""
        return Path(f"/proc/{self.init_pid}/root{inside}")

    def run_in(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["nsenter", "-t", str(self.init_pid), "-m", "-u", "-p", "-n", "--", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def inventory(self, admin: bool) -> Path:
        return self.admin_inventory if admin else self.lab.inventory_path

    def playbook(
        self, name: str, plays: list[dict[str, Any]], admin: bool = False
    ) -> tuple[int, str, dict[str, int]]:
        path = self.workdir / f"{name}.yml"
        path.write_text(yaml.safe_dump(plays, sort_keys=False))
        proc = subprocess.run(
            [
                str(Path(sys.executable).parent / "ansible-playbook"),
                "-i",
                str(self.inventory(admin)),
                str(path),
            ],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.workdir,
            timeout=600,
        )
        out = proc.stdout + proc.stderr
        (self.workdir / f"{name}.log").write_text(out)
        m = re.search(rf"^{re.escape(HOST)}\s*:\s*(.*)$", proc.stdout, re.M)
        recap = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))} if m else {}
        return proc.returncode, out, recap

    def apply_role(
        self, name: str, admin: bool = True, role_vars: dict[str, Any] | None = None
    ) -> tuple[int, str, dict[str, int]]:
        play = {
            "name": "Remediate linux.ssh.*",
            "hosts": HOST,
            "gather_facts": False,
            "roles": [
                {"role": ROLE, "vars": remediation_vars() if role_vars is None else role_vars}
            ],
        }
        return self.playbook(name, [play], admin)

    def verify(self, name: str, admin: bool = True) -> dict[str, str]:
        """`verify baseline` on this host: {check id: status} of the linux.ssh.* checks."""
        report = self.workdir / f"{name}.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "verifier",
                "baseline",
                "-i",
                str(self.inventory(admin)),
                "-l",
                HOST,
                "-b",
                "msp-standard@1.0.0",
                "--format",
                "json",
                "-o",
                str(report),
            ],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.workdir,
            timeout=600,
        )
        assert proc.returncode in (0, 1, 3), proc.stderr
        data = json.loads(report.read_text())
        (host,) = (h for h in data["hosts"] if h["name"] == HOST)
        return {c["id"]: c["status"] for c in host["checks"] if c["id"].startswith("linux.ssh.")}

    def ssh_probe(self, *options: str) -> subprocess.CompletedProcess[str]:
        """An ssh client inside the host against the sshd listener started in the test."""
        return self.run_in(
            "ssh",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "ConnectTimeout=10",
            "-p",
            str(SSHD_LISTEN_PORT),
            *options,
            "true",
        )

    def offered_methods(self) -> str:
        proc = self.ssh_probe("-o", "IdentityFile=/dev/null", "nobody@127.0.0.1")
        m = re.search(r"Permission denied \(([^)]*)\)", proc.stderr)
        assert m, proc.stderr
        return m.group(1)

    def listener_pid(self) -> int:
        return int(self.path("/run/sshd.pid").read_text().strip())


@pytest.fixture()
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    reason = lab_missing()
    if reason:
        pytest.skip(reason)
    # Not under pytest's 0700 tmp: the host's sshd reads the lab key (AuthorizedKeysFile of
    # its serving config) as the logging-in user, and tempadmin must be able to.
    state_dir = Path(tempfile.mkdtemp(prefix="verify-ssh-hardening-lab-"))
    state_dir.chmod(0o755)
    try:
        the_lab = lab.up(state_dir, hosts=[lab.HostSpec(HOST, "ubuntu1604")])
        yield Host(the_lab, tmp_path_factory.mktemp("ssh-hardening"))
    finally:
        lab.down(state_dir)
        shutil.rmtree(state_dir, ignore_errors=True)


MUST_FAIL_BEFORE = {
    "linux.ssh.root_login",
    "linux.ssh.password_auth",
    "linux.ssh.weak_ciphers",
    "linux.ssh.max_auth_tries",
    "linux.ssh.x11_forwarding",
}


def step_before_several_ssh_checks_fail(host: Host) -> None:
    before = host.verify("before", admin=False)
    host.state["before"] = before
    failing = {k for k, v in before.items() if v == "fail"}
    assert failing >= MUST_FAIL_BEFORE, before


def step_refuses_root_login_change_when_logged_in_as_root(host: Host) -> None:
    config = host.path("/etc/ssh/sshd_config")
    original = config.read_text()
    rc, out, recap = host.apply_role("apply-as-root", admin=False)
    assert rc != 0 and recap.get("failed") == 1, out
    assert "refusing to set PermitRootLogin no" in out, out
    assert recap.get("changed") == 0
    assert config.read_text() == original


def step_refuses_to_lock_out_an_admin_without_a_key(host: Host) -> None:
    # A key-only admin account (not locked, home on an overlay), no key yet.
    setup = {
        "name": "Prepare the named admin account",
        "hosts": HOST,
        "gather_facts": False,
        "tasks": [
            {
                "name": "Unlock the account (no password), home under /opt",
                "ansible.builtin.user": {"name": ADMIN, "password": "*", "home": ADMIN_HOME},
            },
            {
                "name": "Home directory",
                "ansible.builtin.file": {
                    "path": f"{ADMIN_HOME}/.ssh",
                    "state": "directory",
                    "owner": ADMIN,
                    "mode": "0700",
                },
            },
        ],
    }
    rc, out, _ = host.playbook("setup-admin", [setup])
    assert rc == 0, out

    config = host.path("/etc/ssh/sshd_config")
    original = config.read_text()
    rc, out, recap = host.apply_role("apply-no-key")
    assert rc != 0 and recap.get("failed") == 1, out
    assert "refusing to set PasswordAuthentication no" in out, out
    assert f"'{ADMIN}', has no authorized SSH key" in out, out
    assert f"{ADMIN_HOME}/.ssh/authorized_keys" in out, out
    assert recap.get("changed") == 0
    assert config.read_text() == original


def step_apply_reloads_and_keeps_key_logins(host: Host) -> None:
    pub = Path(str(host.lab.key_path) + ".pub")
    authorize = {
        "name": "Authorize the lab key for the admin account",
        "hosts": HOST,
        "gather_facts": False,
        "tasks": [
            {
                "name": "Key",
                "ansible.builtin.copy": {
                    "src": str(pub),
                    "dest": f"{ADMIN_HOME}/.ssh/authorized_keys",
                    "owner": ADMIN,
                    "mode": "0600",
                },
            }
        ],
    }
    rc, out, _ = host.playbook("authorize", [authorize])
    assert rc == 0, out

    # A real sshd listener inside the host (no systemd there): the role must reload it.
    started = host.run_in("/usr/sbin/sshd")
    assert started.returncode == 0, started.stderr
    for _ in range(50):
        if host.path("/run/sshd.pid").exists():
            break
        time.sleep(0.1)
    pid = host.listener_pid()
    assert host.offered_methods() == "publickey,password"

    rc, out, recap = host.apply_role("apply")
    host.state["apply_recap"] = recap
    assert rc == 0 and recap.get("failed") == 0, out
    assert recap.get("changed", 0) > 0, out
    assert re.search(r"Send SIGHUP to the sshd listener\] \*+\nchanged:", out), out

    time.sleep(0.5)  # the listener re-executes itself on SIGHUP
    assert host.listener_pid() == pid
    assert host.run_in("kill", "-0", str(pid)).returncode == 0
    assert host.offered_methods() == "publickey"
    key = str(host.lab.key_path)
    login = host.ssh_probe("-i", key, f"{ADMIN}@127.0.0.1")
    assert login.returncode == 0, login.stderr
    root = host.ssh_probe("-i", key, "root@127.0.0.1")
    assert root.returncode != 0 and "Permission denied" in root.stderr, root.stderr

    config = host.path("/etc/ssh/sshd_config").read_text()
    head, _, _ = config.partition("\nMatch ")
    for keyword in ("PermitRootLogin", "PasswordAuthentication", "Ciphers", "MaxAuthTries"):
        assert len(re.findall(rf"(?im)^\s*{keyword}\b", head)) == 1, config


def step_after_every_ssh_check_passes(host: Host) -> None:
    after = host.verify("after")
    print("before:", host.state.get("before"))
    print("after: ", after)
    assert set(after) == set(host.state["before"])
    assert all(status == "pass" for status in after.values()), after


def step_second_apply_changes_nothing(host: Host) -> None:
    rc, out, recap = host.apply_role("apply-again")
    print("first apply:", host.state.get("apply_recap"), "second apply:", recap)
    assert rc == 0, out
    assert recap.get("changed") == 0 and recap.get("failed") == 0, out
    assert "Send SIGHUP" not in out
    # As a generated playbook calls it: only some variables, the others left at null.
    rc, out, recap = host.apply_role("apply-one-var", role_vars={"ssh_max_auth_tries": 4})
    assert rc == 0 and recap.get("changed") == 0 and recap.get("failed") == 0, out


def test_ssh_hardening_fixes_the_lab_host_and_is_idempotent(host: Host) -> None:
    step_before_several_ssh_checks_fail(host)
    step_refuses_root_login_change_when_logged_in_as_root(host)
    step_refuses_to_lock_out_an_admin_without_a_key(host)
    step_apply_reloads_and_keeps_key_logins(host)
    step_after_every_ssh_check_passes(host)
    step_second_apply_changes_nothing(host)
