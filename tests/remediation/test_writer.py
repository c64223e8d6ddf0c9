"""The playbook writer: valid for ansible-playbook, tags as users expect, host data inert."""

import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import baseline, check
from verifier.models import Platform, Remediation
from verifier.remediation.planner import Failure, plan
from verifier.remediation.writer import render

BIN = Path(sys.executable).parent
HOSTILE = "{{ lookup('pipe', 'touch PWNED') }}"


def _roles(tmp_path: Path) -> Path:
    tasks = tmp_path / "roles" / "demo_fix" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text(
        "- name: Record the fix\n  ansible.builtin.copy:\n    dest: \"{{ marker }}\"\n    content: \"{{ demo_value }}\\n\"\n    mode: \"0644\"\n",
        encoding="utf-8",
    )
    return tmp_path / "roles"


def _playbook(tmp_path: Path, hosts: list[str]) -> Path:
    fix = check(id="linux.demo.fix", remediation=Remediation(role="demo_fix", vars={"demo_value": "fixed"}), tags=("reboot",))
    manual = check(id="linux.demo.manual", remediation=Remediation(manual="Replace the\nserver. # not yaml"))
    failures = [Failure(h, Platform.LINUX, "linux.demo.fix") for h in hosts]
    failures.append(Failure(HOSTILE, Platform.LINUX, "linux.demo.manual"))
    text = render(plan(baseline(fix, manual), failures, f"report {HOSTILE}\n- evil: 1", lambda r: True), _roles(tmp_path))
    path = tmp_path / "remediation.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(tmp_path: Path, playbook: Path, *args: str) -> subprocess.CompletedProcess[str]:
    inventory = tmp_path / "inv.ini"
    inventory.write_text(
        "".join(f"{h} ansible_connection=local ansible_python_interpreter={sys.executable}\n" for h in ("web1", "rtr-01")),
        encoding="utf-8",
    )
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), "-e", f"marker={tmp_path}/marker", *args],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )


def test_header_names_the_baseline_and_the_manual_actions(tmp_path: Path) -> None:
    text = _playbook(tmp_path, ["web1"]).read_text(encoding="utf-8")
    header = text.split("\n---\n")[0]
    assert "# Baseline: test@1.0.0 sha256 " + "0" * 64 in header
    assert "linux.demo.manual" in header and "Replace the server. # not yaml" in header
    assert all(line.startswith("#") for line in header.splitlines())
    [play] = yaml.safe_load(text.split("\n---\n")[1].replace("!unsafe ", ""))
    [task] = play["tasks"]
    assert task["tags"] == ["linux.demo.fix", "high", "reboot"]
    assert play["hosts"] == ["web1"]


def test_syntax_check_and_apply_only_on_failed_hosts(tmp_path: Path) -> None:
    playbook = _playbook(tmp_path, ["web1"])
    syntax = _run(tmp_path, playbook, "--syntax-check")
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr
    applied = _run(tmp_path, playbook)
    assert applied.returncode == 0, applied.stdout
    assert (tmp_path / "marker").read_text() == "fixed\n"
    skipped = _run(tmp_path, playbook, "--skip-tags", "reboot")
    assert "changed=0" in skipped.stdout and "ok=1" in skipped.stdout  # only fact gathering


def test_hostile_host_names_are_never_templated(tmp_path: Path) -> None:
    playbook = _playbook(tmp_path, ["web1", HOSTILE])
    assert "!unsafe '" + HOSTILE.replace("'", "''") + "'" in playbook.read_text(encoding="utf-8")
    result = _run(tmp_path, playbook)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "PWNED").exists()


def test_generated_playbook_passes_ansible_lint(tmp_path: Path) -> None:
    playbook = _playbook(tmp_path, ["web1", HOSTILE])
    config = Path(__file__).parents[2] / ".ansible-lint"
    result = subprocess.run(
        [str(BIN / "ansible-lint"), "-c", str(config), "--nocolor", "--format=pep8", str(playbook)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "criteria was 'production'" in result.stderr + result.stdout


# --- the network play ------------------------------------------------------------------------

BANNER = "Authorised access only.\nDisconnect now."


def _network_playbook(tmp_path: Path) -> Path:
    telnet = check(id="net.mgmt.telnet_disabled", tags=("manual",),
                   remediation=Remediation(role="demo_fix", vars={"demo_value": BANNER}))
    failures = [Failure("rtr-01", Platform.NETWORK, "net.mgmt.telnet_disabled", "ios")]
    text = render(plan(baseline(telnet), failures, "report.json", lambda r: True), _roles(tmp_path))
    path = tmp_path / "network.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_network_play_uses_network_cli_in_enable_mode(tmp_path: Path) -> None:
    text = _network_playbook(tmp_path).read_text(encoding="utf-8")
    header, body = text.split("\n---\n")
    assert "ansible.netcommon.network_cli with become_method enable" in header
    [play] = yaml.safe_load(body.replace("!unsafe ", ""))
    assert play["name"] == "Remediate network devices" and play["gather_facts"] is False
    assert play["connection"] == "ansible.netcommon.network_cli"
    assert play["become"] is True and play["become_method"] == "ansible.netcommon.enable"
    [task] = play["tasks"]
    assert task["tags"] == ["net.mgmt.telnet_disabled", "high"]  # no `manual` on a role task
    assert task["vars"]["demo_value"] == BANNER
    assert "demo_value: |-\n          Authorised access only.\n          Disconnect now.\n" in body


def test_network_play_passes_syntax_check_and_ansible_lint(tmp_path: Path) -> None:
    playbook = _network_playbook(tmp_path)
    inventory = tmp_path / "net.yml"
    inventory.write_text(
        "network:\n  hosts:\n    rtr-01: {ansible_host: 127.0.0.1, ansible_network_os: cisco.ios.ios}\n",
        encoding="utf-8",
    )
    syntax = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), "--syntax-check"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr
    config = Path(__file__).parents[2] / ".ansible-lint"
    lint = subprocess.run(
        [str(BIN / "ansible-lint"), "-c", str(config), "--nocolor", "--format=pep8", str(playbook)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_inventory_connection_variables_win_over_the_play(tmp_path: Path) -> None:
    """ansible_connection in the inventory (here: local) beats the play's network_cli, as
    Ansible documents for connection variables; the role then runs without a device."""
    playbook = _network_playbook(tmp_path)
    applied = _run(tmp_path, playbook, "-e", "ansible_become=false")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (tmp_path / "marker").read_text() == BANNER + "\n"
