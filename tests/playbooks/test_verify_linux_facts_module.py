"""The target-side module: pure helpers, plus one real run on this machine."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
MODULE_PATH = REPO / "playbooks" / "library" / "verify_linux_facts.py"
ANSIBLE = Path(sys.executable).parent / "ansible"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_linux_facts", MODULE_PATH)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


vlf = _load()


def test_empty_password_names_never_leak_hashes() -> None:
    shadow = ("root:$6$salt$hash:19000:0:99999:7:::\nguest::19000:0:99999:7:::\n"
              "daemon:*:19000:0:99999:7:::\nlocked:!:19000::::::\n")
    names = vlf.empty_password_names(shadow)
    assert names == ["guest"]
    assert "$6$" not in json.dumps(names)


def test_uid0_and_admin_groups() -> None:
    passwd = ("root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n"
              "bob:x:1001:27::/home/bob:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n")
    group = "root:x:0:\nsudo:x:27:alice\nwheel:x:10:\nusers:x:100:alice\n"
    assert vlf.uid0_names(passwd) == ["root", "toor"]
    lines, primary = vlf.group_members(group, passwd)
    assert lines == {"sudo": "sudo:x:27:alice", "wheel": "wheel:x:10:"}
    assert primary == {"sudo": ["bob"]}


def test_nopasswd_rules_skip_comments() -> None:
    text = ("# %sudo ALL=(ALL) NOPASSWD: ALL\nDefaults env_reset\n"
            "deploy   ALL=(ALL)   NOPASSWD: ALL\n%wheel ALL=(ALL) ALL\n")
    assert vlf.nopasswd_rules("/etc/sudoers", text) == [
        "/etc/sudoers: deploy ALL=(ALL) NOPASSWD: ALL"]


def test_sudoers_files_skip_like_sudo(tmp_path: Path) -> None:
    for name in ("90-cloud", "README", "x.bak", "old~"):
        (tmp_path / name).write_text("")
    files = vlf.sudoers_files(str(tmp_path / "sudoers"), str(tmp_path))
    assert files == [str(tmp_path / "sudoers"), str(tmp_path / "90-cloud"),
                     str(tmp_path / "README")]


def test_expand_sshd_config_inlines_includes(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "10-a.conf").write_text("PasswordAuthentication no\n")
    main = tmp_path / "sshd_config"
    main.write_text(f"Include {tmp_path}/d/*.conf\nPasswordAuthentication yes\n")
    text = vlf.expand_sshd_config(str(main))
    assert text.index("PasswordAuthentication no") < text.index("PasswordAuthentication yes")
    assert f"# verify: file {tmp_path}/d/10-a.conf" in text


def test_apt_helpers(tmp_path: Path) -> None:
    sim = "NOTE: simulation\nInst a [1] (2 Debian:12/stable [amd64])\nConf a (2 ...)\n"
    assert vlf.apt_inst_lines(sim) == ["Inst a [1] (2 Debian:12/stable [amd64])"]
    history = ("Start-Date: 2024-01-01  10:00:00\nEnd-Date: 2024-01-01  10:01:00\n\n"
               "Start-Date: 2024-03-01  10:22:00\nEnd-Date: 2024-03-01  10:22:33\n")
    assert vlf.newest_apt_end_date(history) == "2024-03-01 10:22:33"
    (tmp_path / "20auto-upgrades").write_text(
        'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n'
        '// APT::Periodic::Unattended-Upgrade "0";\n')
    assert vlf.apt_periodic_lines(str(tmp_path)) == [
        f'{tmp_path}/20auto-upgrades: APT::Periodic::Unattended-Upgrade "1";']


def test_counters_and_package_parsers() -> None:
    assert vlf.count_nft_rules('{"nftables": [{"table": {}}, {"rule": {}}]}') == 1
    assert vlf.count_iptables_rules("*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n") == 1
    assert vlf.max_rpm_installtime("1700000000 bash\n1700000500 kernel\n(none)\n") == 1700000500
    dpkg = ("clamav\tinstall ok installed\t1.0.7\nveeam\tdeinstall ok config-files\t6.0\n"
            "eset-efs\tinstall ok installed\t9.1\n")
    assert vlf.match_packages(vlf.parse_dpkg_query(dpkg)) == {"clamav": "1.0.7",
                                                            "eset-efs": "9.1"}
    assert vlf.parse_rpm_query("falcon-sensor\t7.10.0-16303.el9\n") == {
        "falcon-sensor": "7.10.0-16303.el9"}


def test_process_names_reads_proc(tmp_path: Path) -> None:
    for pid, comm, cmdline in (("1", "systemd", b"/sbin/init\0splash\0"),
                               ("20", "sentinelone-age", b"/opt/sentinelone/bin/sentinelone-agent\0"),
                               ("2", "kthreadd", b"")):
        (tmp_path / pid).mkdir()
        (tmp_path / pid / "comm").write_text(comm + "\n")
        (tmp_path / pid / "cmdline").write_bytes(cmdline)
    (tmp_path / "self").mkdir()
    assert vlf.process_names(str(tmp_path)) == [
        "init", "sentinelone-age", "sentinelone-agent", "systemd"]


def test_run_reports_missing_command_and_timeout() -> None:
    with pytest.raises(vlf.ProbeError, match="No such file"):
        vlf.run(["/nonexistent/verify-cmd"])
    with pytest.raises(vlf.ProbeError, match="timed out after 1s"):
        vlf.run(["sleep", "5"], timeout=1)
    with pytest.raises(vlf.ProbeError, match="exited 1"):
        vlf.run(["false"])


@pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible not in this interpreter's venv")
def test_module_runs_on_this_machine(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update({
        "HOME": str(tmp_path), "ANSIBLE_HOME": str(tmp_path / "ansible"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"), "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "PATH": f"{ANSIBLE.parent}{os.pathsep}{env.get('PATH', '')}",
    })
    proc = subprocess.run(
        [str(ANSIBLE), "localhost", "-c", "local", "-m", "verify_linux_facts",
         "-M", str(MODULE_PATH.parent), "-o"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.split("=>", 1)[1])
    assert result["changed"] is False
    raw = result["verify_raw"]
    assert raw["raw_version"] == 1
    assert "ID=" in raw["os_release"]
    assert "distribution" in raw["ansible_facts"]
    assert isinstance(raw["processes"], list) and raw["processes"]
    assert isinstance(raw["probe_errors"], dict)
    text = json.dumps(raw)
    assert "$6$" not in text and "PRIVATE KEY" not in text


@pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible not in this interpreter's venv")
def test_collect_playbook_syntax(tmp_path: Path) -> None:
    env = dict(os.environ, HOME=str(tmp_path), ANSIBLE_HOME=str(tmp_path / "ansible"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    proc = subprocess.run(
        [str(ANSIBLE.parent / "ansible-playbook"), "--syntax-check", "-i", "localhost,",
         str(REPO / "playbooks" / "collect_linux.yml")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_block_mounts_keeps_local_block_devices_only(tmp_path: Path) -> None:
    proc_mounts = tmp_path / "mounts"
    proc_mounts.write_text(
        "overlay / overlay rw 0 0\n"
        f"/dev/vda1 {tmp_path} ext4 rw 0 0\n"
        f"/dev/vda1 {tmp_path} ext4 rw 0 0\n"  # bind mounts repeat a mount point
        "/dev/loop3 /snap/core/1 squashfs ro 0 0\n"
        "server:/export /mnt/nfs nfs4 rw 0 0\n"
        "/dev/sdb1 /does/not/exist ext4 rw 0 0\n",
        encoding="utf-8",
    )
    mounts = vlf.block_mounts(str(proc_mounts))
    assert [(m["mount"], m["device"], m["fstype"]) for m in mounts] == [(str(tmp_path), "/dev/vda1", "ext4")]
    assert mounts[0]["size_total"] >= mounts[0]["size_available"] > 0
