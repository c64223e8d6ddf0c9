"""Shared by the role tests: the baseline's variables for a check, applying one role to one
lab host with ansible-playbook (and reading its recap), running a command inside a lab host."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

import lab

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "baselines" / "msp-standard" / "1.0.0.yml"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
    r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)",
    re.MULTILINE,
)


def baseline_vars(check_id: str) -> dict[str, object]:
    baseline = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    check = next(c for c in baseline["checks"] if c["id"] == check_id)
    return dict(check["remediation"]["vars"])


@dataclass(frozen=True)
class Apply:
    returncode: int
    output: str
    recap: dict[str, int]


def apply_role(
    inventory: Path, workdir: Path, role: Path, role_vars: dict[str, object], host: str
) -> Apply:
    playbook = workdir / "apply.yml"
    play = {
        "name": f"Apply {role.name}",
        "hosts": "all",
        "gather_facts": True,
        "roles": [{"role": str(role), "vars": role_vars}],
    }
    playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), "-l", host, str(playbook)],
        capture_output=True,
        text=True,
        env=lab.ansible_env(workdir / "ansible"),
        cwd=workdir,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    match = next((m for m in RECAP.finditer(output) if m["host"] == host), None)
    assert match, output
    recap = {k: int(v) for k, v in match.groupdict().items() if k != "host"}
    return Apply(proc.returncode, output, recap)


def in_host(the_lab: lab.Lab, host: str, *argv: str, network: bool = False) -> str:
    """Run a command inside the host's mount (and, if asked, network) namespace."""
    pid = the_lab.hosts[host].init_pid
    spaces = ["-m", "-n"] if network else ["-m"]
    proc = subprocess.run(
        ["nsenter", "-t", str(pid), *spaces, "--", *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
