"""Shared by the role tests: the baseline's variables for a check, applying one role to one
lab host with ansible-playbook (and reading its recap), running a command inside a lab host."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import lab
from tests.conftest import lab_missing
from tests.integration.verify_run import Run, run_verify

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


@dataclass(frozen=True)
class Outcome:
    """One role applied twice to a fresh lab host, with verify run before and after."""

    lab: lab.Lab
    before: Run
    first: Apply
    second: Apply
    after: Run


@contextmanager
def applied_twice(
    base: Path,
    host: str,
    role: Path,
    role_vars: dict[str, object],
    prepare: Callable[[lab.Lab], None] | None = None,
    tools: tuple[str, ...] = (),
) -> Iterator[Outcome]:
    """Start a one-host `ubuntu1604` lab in `base`, run `prepare`, verify, apply the role twice,
    verify again; the lab is torn down on exit. Skips where the lab cannot run."""
    reason = lab_missing()
    missing = [t for t in tools if not shutil.which(t)]
    if reason or missing:
        pytest.skip(reason or f"missing {', '.join(missing)}")
    state_dir = base / "lab"
    the_lab = lab.up(state_dir, hosts=[lab.HostSpec(host, "ubuntu1604")])
    try:
        inventory = the_lab.inventory_path
        if prepare is not None:
            prepare(the_lab)
        before = run_verify(inventory, base / "before", "-l", host, "--format", "json")
        first = apply_role(inventory, base, role, role_vars, host)
        second = apply_role(inventory, base, role, role_vars, host)
        after = run_verify(inventory, base / "after", "-l", host, "--format", "json")
        yield Outcome(the_lab, before, first, second, after)
    finally:
        lab.down(state_dir)


def apply_role_hosts(
    inventory: Path, workdir: Path, role: Path, role_vars: dict[str, object], hosts: list[str]
) -> dict[str, Apply]:
    """apply_role on several hosts in one ansible-playbook run: each host's recap (return
    code and output are the run's)."""
    playbook = workdir / "apply-hosts.yml"
    play = {
        "name": f"Apply {role.name}",
        "hosts": "all",
        "gather_facts": True,
        "roles": [{"role": str(role), "vars": role_vars}],
    }
    playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), "-l", ",".join(hosts), str(playbook)],
        capture_output=True,
        text=True,
        env=lab.ansible_env(workdir / "ansible"),
        cwd=workdir,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    recaps = {
        m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
        for m in RECAP.finditer(output)
    }
    assert set(recaps) == set(hosts), output
    return {h: Apply(proc.returncode, output, recaps[h]) for h in hosts}
