"""The simulated client network (lab/): real sshd hosts in namespaces, driven by real Ansible."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import lab

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root"),
    pytest.mark.skipif(
        not all(shutil.which(t) for t in ("unshare", "nsenter", "nft", "sshpass", "ssh-keygen"))
        or not os.path.exists("/usr/sbin/sshd"),
        reason="needs util-linux, nftables, sshpass and openssh-server",
    ),
]

VENV_BIN = Path(sys.executable).parent
ANSIBLE = str(VENV_BIN / "ansible") if (VENV_BIN / "ansible").exists() else "ansible"
DAEMON_NAMES = {"clamd", "freshclam", "chronyd", "falcon-sensor", "veeamservice"}


@pytest.fixture(scope="module")
def running_lab(lab_network: lab.Lab) -> lab.Lab:
    """The session's lab (tests/conftest.py); these tests only read it."""
    return lab_network


@pytest.fixture(scope="module")
def ansible_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ansible")


def adhoc(
    the_lab: lab.Lab,
    base: Path,
    pattern: str,
    module: str,
    args: str = "",
    timeout: int = 5,
    become: bool = False,
) -> tuple[dict[str, Any], str]:
    """Run `ansible PATTERN -m MODULE` with the json callback; per-host results + raw output."""
    env = lab.ansible_env(base, VENV_BIN)
    env.update(
        ANSIBLE_STDOUT_CALLBACK="json",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_TIMEOUT=str(timeout),
        ANSIBLE_DEPRECATION_WARNINGS="False",
    )
    cmd = [ANSIBLE, pattern, "-i", str(the_lab.inventory_path), "-m", module, "-f", "10"]
    if args:
        cmd += ["-a", args]
    if become:
        cmd.append("-b")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    out = proc.stdout
    data = json.loads(out[out.index("{") :])
    results = data["plays"][0]["tasks"][0]["hosts"]
    return results, proc.stdout + proc.stderr


def test_inventory_has_every_host_and_group(running_lab: lab.Lab) -> None:
    import yaml

    inv = yaml.safe_load(running_lab.inventory_path.read_text())
    groups = inv["all"]["children"]
    assert set(groups["linux"]["hosts"]) == {"legacy-ubuntu", "files-debian", "erp-rocky"}
    assert set(groups["lab_unreachable"]["hosts"]) == {
        "refused",
        "wrong-key",
        "wrong-password",
        "blackhole",
    }
    legacy = groups["linux"]["hosts"]["legacy-ubuntu"]
    assert legacy["ansible_host"] == "127.0.0.1"
    assert legacy["ansible_user"] == "root"
    assert legacy["verify_class"] == "workstation"
    assert groups["linux"]["hosts"]["files-debian"]["verify_class"] == "server"
    assert os.path.isabs(legacy["ansible_python_interpreter"])
    wp = groups["lab_unreachable"]["hosts"]["wrong-password"]
    assert wp["ansible_password"] == lab.CANARY_PASSWORD
    assert wp["ansible_become_password"] == lab.CANARY_BECOME_PASSWORD
    assert "ansible_ssh_private_key_file" not in wp
    wk = groups["lab_unreachable"]["hosts"]["wrong-key"]
    assert wk["ansible_ssh_private_key_file"] != legacy["ansible_ssh_private_key_file"]


def test_setup_reports_each_hosts_faked_os_and_hardware(
    running_lab: lab.Lab, ansible_base: Path
) -> None:
    results, raw = adhoc(running_lab, ansible_base, "linux", "setup")
    facts = {h: r["ansible_facts"] for h, r in results.items()}
    assert set(facts) == {"legacy-ubuntu", "files-debian", "erp-rocky"}, raw
    assert facts["legacy-ubuntu"]["ansible_distribution"] == "Ubuntu"
    assert facts["legacy-ubuntu"]["ansible_distribution_version"] == "16.04"
    assert facts["legacy-ubuntu"]["ansible_distribution_release"] == "xenial"
    assert facts["files-debian"]["ansible_distribution"] == "Debian"
    assert facts["files-debian"]["ansible_distribution_major_version"] == "12"
    assert facts["erp-rocky"]["ansible_distribution"] == "Rocky"
    assert facts["erp-rocky"]["ansible_distribution_version"] == "9.3"
    assert facts["erp-rocky"]["ansible_os_family"] == "RedHat"
    assert facts["legacy-ubuntu"]["ansible_system_vendor"] == "Dell Inc."
    assert facts["legacy-ubuntu"]["ansible_product_name"] == "OptiPlex 7010"
    assert facts["legacy-ubuntu"]["ansible_product_serial"] == "4XK2L1S"
    assert facts["legacy-ubuntu"]["ansible_bios_date"] == "05/12/2014"
    assert facts["files-debian"]["ansible_product_name"] == "PowerEdge R650"
    assert facts["erp-rocky"]["ansible_system_vendor"] == "HPE"
    assert facts["erp-rocky"]["ansible_bios_date"] == "11/02/2019"
    hostnames = {h: f["ansible_hostname"] for h, f in facts.items()}
    assert hostnames == {h: h for h in facts}


def test_hosts_differ_in_processes_firewall_and_sshd(
    running_lab: lab.Lab, ansible_base: Path
) -> None:
    script = (
        "hostname; echo ---; cat /proc/*/comm; echo ---; nft list ruleset; echo ---; "
        "sshd -T | grep -E '^(passwordauthentication|permitrootlogin|ciphers) '"
    )
    results, _ = adhoc(running_lab, ansible_base, "linux", "shell", script)
    parts = {}
    for host, r in results.items():
        assert r.get("rc") == 0, (host, r)
        parts[host] = r["stdout"].split("---\n")
    assert {h: p[0].strip() for h, p in parts.items()} == {h: h for h in parts}
    comms = {h: set(p[1].split()) for h, p in parts.items()}
    assert "clamd" in comms["files-debian"]
    assert "clamd" not in comms["legacy-ubuntu"] and "clamd" not in comms["erp-rocky"]
    assert {"falcon-sensor", "chronyd"} <= comms["erp-rocky"]
    assert not (comms["legacy-ubuntu"] & DAEMON_NAMES)
    assert "policy drop" in parts["files-debian"][2]
    assert parts["erp-rocky"][2].strip()
    assert parts["legacy-ubuntu"][2].strip() == ""
    assert "passwordauthentication yes" in parts["legacy-ubuntu"][3]
    assert "ciphers aes128-cbc,3des-cbc,aes256-ctr" in parts["legacy-ubuntu"][3]
    assert "passwordauthentication no" in parts["files-debian"][3]
    assert "permitrootlogin no" in parts["files-debian"][3]


def test_account_and_update_files(running_lab: lab.Lab, ansible_base: Path) -> None:
    script = (
        "awk -F: '$3==0{print $1}' /etc/passwd | tr '\\n' ' '; echo ---; "
        "awk -F: '$2==\"\"{print $1}' /etc/shadow; echo ---; "
        "grep -E '^(sudo|wheel):' /etc/group; echo ---; "
        "grep -h NOPASSWD /etc/sudoers.d/* 2>/dev/null; echo ---; "
        "grep End-Date /var/log/apt/history.log 2>/dev/null | tail -1; echo ---; "
        "test -e /opt/CrowdStrike/falconctl && echo falconctl"
    )
    become = shutil.which("sudo") is not None  # the collector runs with become
    results, _ = adhoc(running_lab, ansible_base, "linux", "shell", script, become=become)
    p = {h: r["stdout"].split("---\n") for h, r in results.items()}
    assert p["legacy-ubuntu"][0].split() == ["root", "toor"]
    assert p["files-debian"][0].split() == ["root"]
    assert p["legacy-ubuntu"][1].split() == ["guest"]
    assert p["files-debian"][1].strip() == ""
    assert "sudo:x:27:alice,bob,tempadmin,oldvendor" in p["legacy-ubuntu"][2]
    assert "wheel:x:" in p["erp-rocky"][2] and p["erp-rocky"][2].rstrip().endswith("carol")
    assert "tempadmin ALL=(ALL) NOPASSWD: ALL" in p["legacy-ubuntu"][3]
    assert p["files-debian"][3].strip() == ""
    assert "2019-03-14" in p["legacy-ubuntu"][4]
    assert "falconctl" in p["erp-rocky"][5]


def test_apt_sees_only_the_labs_repositories(running_lab: lab.Lab, ansible_base: Path) -> None:
    """Pending updates come from the lab's file: repos, not this machine's apt lists."""
    from verifier.facts.linux import parse_apt_simulation

    results, raw = adhoc(
        running_lab,
        ansible_base,
        "legacy-ubuntu:files-debian",
        "command",
        "apt-get -s -o Debug::NoLocking=1 dist-upgrade",
    )
    assert set(results) == {"legacy-ubuntu", "files-debian"}, raw
    lines = {}
    for host, r in results.items():
        assert r.get("rc") == 0, (host, r)
        lines[host] = r["stdout"].splitlines()
    inst = [ln for ln in lines["legacy-ubuntu"] if ln.startswith("Inst ")]
    assert len(inst) == 5, lines["legacy-ubuntu"]
    assert sum("xenial-security" in ln for ln in inst) == 3, inst
    assert sum("xenial-updates" in ln for ln in inst) == 2, inst
    assert all("+lab1 Ubuntu:16.04/xenial-" in ln for ln in inst), inst
    assert not [ln for ln in lines["legacy-ubuntu"] if ln.startswith("Remv ")]
    assert parse_apt_simulation(lines["legacy-ubuntu"]) == (5, 3)
    assert not [ln for ln in lines["files-debian"] if ln.startswith(("Inst ", "Remv "))]
    assert parse_apt_simulation(lines["files-debian"]) == (0, 0)


def test_broken_hosts_are_unreachable_and_canaries_never_leak(
    running_lab: lab.Lab, ansible_base: Path
) -> None:
    results, raw = adhoc(running_lab, ansible_base, "lab_unreachable", "ping", timeout=5)
    assert set(results) == {"refused", "wrong-key", "wrong-password", "blackhole"}
    for host, r in results.items():
        assert r.get("unreachable") is True, (host, r)
    assert "Connection refused" in results["refused"]["msg"]
    assert "Permission denied (publickey" in results["wrong-key"]["msg"]
    assert "Permission denied" in results["wrong-password"]["msg"]
    assert "password" in results["wrong-password"]["msg"].lower()
    assert "timed out" in results["blackhole"]["msg"].lower()
    assert lab.CANARY_PASSWORD not in raw
    assert lab.CANARY_BECOME_PASSWORD not in raw


def test_up_refuses_while_running_and_status_reports(running_lab: lab.Lab) -> None:
    with pytest.raises(lab.LabError, match="already up"):
        lab.up(running_lab.state_dir)
    info = lab.status(running_lab.state_dir)
    assert info["up"] is True
    assert info["hosts"]["files-debian"]["init_alive"] is True
    assert lab.load(running_lab.state_dir) is not None


def test_real_machine_untouched(running_lab: lab.Lab) -> None:
    real = Path("/usr/lib/os-release").read_text()
    assert "Ubuntu 16.04" not in real and "Rocky" not in real
    assert not Path("/etc/sudoers.d/legacy").exists()
    assert not Path("/usr/local/sbin/clamd").exists()
    assert str(running_lab.state_dir) not in Path("/proc/self/mountinfo").read_text()


def _daemon_pids() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                comm = Path(f"/proc/{entry}/comm").read_text().strip()
            except OSError:
                continue
            if comm in DAEMON_NAMES:
                found.append(int(entry))
    return found


def test_down_leaves_nothing_behind(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    before = set(_daemon_pids())
    small = lab.up(
        state_dir,
        [lab.HostSpec("d1", "debian12"), lab.HostSpec("hole", kind="blackhole")],
        inventory_path=tmp_path / "inv.yml",
    )
    pids = [small.supervisor_pid]
    for h in small.hosts.values():
        pids += [p for p in (h.unshare_pid, h.init_pid) if p]
    assert set(_daemon_pids()) - before, "the debian host's daemons should be running"
    lab.down(state_dir)
    for pid in pids:
        assert (
            not Path(f"/proc/{pid}").exists()
            or "Z" in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        ), pid
    assert set(_daemon_pids()) <= before
    assert not state_dir.exists()
    assert not (tmp_path / "inv.yml").exists()
    assert str(state_dir) not in Path("/proc/self/mountinfo").read_text()
    assert not lab.is_up(state_dir)
    lab.down(state_dir)  # idempotent


def test_up_never_overwrites_a_foreign_inventory(tmp_path: Path) -> None:
    inv = tmp_path / "hand-written.yml"
    inv.write_text("all: {}\n")
    with pytest.raises(lab.LabError, match="not overwriting"):
        lab.up(tmp_path / "state", [lab.HostSpec("x", kind="blackhole")], inventory_path=inv)
    assert inv.read_text() == "all: {}\n"
    assert not lab.is_up(tmp_path / "state")


# ------------------------------------------------------------------ admin login


@pytest.fixture(scope="module")
def admin_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab.Lab]:
    """Hosts whose inventory logs in as the named admin (key) and becomes root with sudo."""
    state_dir = tmp_path_factory.mktemp("admin-lab")
    the_lab = lab.up(
        state_dir,
        [
            lab.HostSpec("adm-ubuntu", "ubuntu1604", login="admin"),
            lab.HostSpec("adm-rocky", "rocky9", login="admin"),
        ],
    )
    try:
        yield the_lab
    finally:
        lab.down(state_dir)


def test_admin_login_inventory(admin_lab: lab.Lab) -> None:
    import yaml

    hosts = yaml.safe_load(admin_lab.inventory_path.read_text())["all"]["children"]["linux"]
    for name in ("adm-ubuntu", "adm-rocky"):
        v = hosts["hosts"][name]
        assert v["ansible_user"] == lab.ADMIN_USER == "mspadmin"
        assert v["ansible_become"] is True and v["ansible_become_method"] == "sudo"
        assert v["ansible_become_password"] == lab.CANARY_BECOME_PASSWORD
        assert admin_lab.hosts[name].login == "admin"
    assert lab.status(admin_lab.state_dir)["hosts"]["adm-rocky"]["login"] == "admin"


def test_admin_logs_in_with_its_key_and_really_uses_sudo(
    admin_lab: lab.Lab, ansible_base: Path
) -> None:
    script = 'printf "%s %s %s\\n" "$(id -un)" "${SUDO_USER:-none}" "$(id -Gn)"'
    become, raw = adhoc(admin_lab, ansible_base, "linux", "shell", script)
    assert {h: r["stdout"].split()[:2] for h, r in become.items()} == {
        "adm-ubuntu": ["root", "mspadmin"],
        "adm-rocky": ["root", "mspadmin"],
    }, raw
    env = lab.ansible_env(ansible_base, VENV_BIN)
    env.update(ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")

    def run(*extra: str) -> dict[str, Any]:
        cmd = [ANSIBLE, "linux", "-i", str(admin_lab.inventory_path), "-m", "shell", "-a", script]
        proc = subprocess.run([*cmd, *extra], env=env, capture_output=True, text=True, timeout=180)
        assert lab.CANARY_BECOME_PASSWORD not in proc.stdout + proc.stderr
        data = json.loads(proc.stdout[proc.stdout.index("{") :])
        return dict(data["plays"][0]["tasks"][0]["hosts"])

    no_become = run("-e", "ansible_become=false")
    assert no_become["adm-ubuntu"]["stdout"].split() == ["mspadmin", "none", "mspadmin", "sudo"]
    assert no_become["adm-rocky"]["stdout"].split() == ["mspadmin", "none", "mspadmin", "wheel"]
    wrong = run("-e", "ansible_become_password=not-the-password")
    for host in ("adm-ubuntu", "adm-rocky"):
        assert "Incorrect sudo password" in wrong[host]["msg"], wrong[host]
    root = run("-e", "ansible_user=root", "-e", "ansible_become=false")
    for host in ("adm-ubuntu", "adm-rocky"):
        assert root[host].get("unreachable") is True, root[host]
        assert "Permission denied (publickey)" in root[host]["msg"]


def test_admin_host_is_verified_through_sudo(admin_lab: lab.Lab, tmp_path: Path) -> None:
    from tests.integration.verify_run import CANARIES, run_verify

    run = run_verify(admin_lab.inventory_path, tmp_path, "--format", "json")
    for host in ("adm-ubuntu", "adm-rocky"):
        assert run.host(host)["status"] == "reachable", run.host(host)
        # sshd -T and /etc/shadow need root: both answered.
        assert run.status(host, "linux.ssh.root_login") in ("pass", "fail")
        assert run.status(host, "linux.accounts.empty_password") in ("pass", "fail")
    assert run.result("adm-ubuntu", "linux.ssh.root_login")["status"] == "fail"
    assert run.result("adm-ubuntu", "linux.accounts.empty_password")["actual"] == ["guest"]
    assert run.result("adm-rocky", "linux.antivirus.running")["actual"] == ["crowdstrike"]
    for canary in CANARIES:
        assert canary not in run.stdout + run.stderr


def test_admin_login_leaves_this_machine_alone(admin_lab: lab.Lab) -> None:
    assert not Path("/home/mspadmin").exists()
    assert not Path(f"/var/lib/sudo/lectured/{lab.ADMIN_USER}").exists()
    assert lab.ADMIN_USER not in Path("/etc/passwd").read_text()
