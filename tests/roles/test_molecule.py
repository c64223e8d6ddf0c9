"""`molecule test` for every Linux role, as a real subprocess each.

Each role has one scenario, ``roles/<role>/molecule/default``: the delegated ("default")
driver with a one-host verify lab as the instance. The playbooks every scenario shares live in
``tests/roles/molecule/``: create (``python -m lab up``: one Ubuntu 16.04 host, logging in as
root or, for ssh_hardening, as a named admin with sudo), prepare (overlays over the host's
``/usr`` and ``/var`` plus the stand-in packages a role installs, ``tests.roles.lab_packages``),
destroy (``python -m lab down``) and the ``verify baseline`` part of verify. Per role:
``converge.yml`` (the role with msp-standard's variables), ``verify.yml`` (assertions on the
host, then the real CLI: the role's checks pass) and ``molecule.yml`` (login and stand-ins).
The sequence: dependency (a no-op shell command: never Galaxy), destroy, syntax, create,
prepare, converge, idempotence (a second converge must change nothing), verify, destroy.

The scenarios run in parallel (MOLECULE_PARALLEL_RUNS at a time, default 3: most of a
scenario's time is spent waiting on SSH round trips and ansible-playbook start-up, not CPU),
each with its own HOME, ANSIBLE_HOME, local temp, SSH control path dir and ephemeral
directory under pytest's tmp.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import lab
from tests.conftest import lab_missing

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHARED = REPO / "tests" / "roles" / "molecule"
LINUX_ROLES = [
    "ssh_hardening",
    "host_firewall",
    "accounts_hygiene",
    "package_updates",
    "auto_updates",
    "time_sync",
    "antivirus",
]
SEQUENCE = [
    "dependency",
    "destroy",
    "syntax",
    "create",
    "prepare",
    "converge",
    "idempotence",
    "verify",
    "destroy",
]
PARALLEL = int(os.environ.get("MOLECULE_PARALLEL_RUNS", "3"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def scenario(role: str) -> Path:
    return REPO / "roles" / role / "molecule" / "default"


def test_every_linux_role_has_a_scenario() -> None:
    linux = {
        p.parent.parent.name
        for p in (REPO / "roles").glob("*/meta/main.yml")
        if any(
            pl.get("name") in ("Debian", "Ubuntu", "EL")
            for pl in yaml.safe_load(p.read_text())["galaxy_info"].get("platforms", [])
        )
    }
    assert linux == set(LINUX_ROLES)
    for role in LINUX_ROLES:
        assert {f.name for f in scenario(role).iterdir()} == {
            "molecule.yml",
            "converge.yml",
            "verify.yml",
        }, role


@pytest.mark.parametrize("role", LINUX_ROLES)
def test_scenario_is_offline_delegated_and_idempotent(role: str) -> None:
    config = yaml.safe_load((scenario(role) / "molecule.yml").read_text())
    assert config["dependency"] == {"name": "shell", "command": "true"}  # never Galaxy
    assert config["prerun"] is False  # no ansible-galaxy installs before the run either
    assert config["driver"]["name"] == "default"
    assert config["scenario"]["test_sequence"] == SEQUENCE
    playbooks = config["ansible"]["playbooks"]
    for step in ("create", "prepare", "destroy"):
        assert (scenario(role) / playbooks[step]).resolve() == SHARED / f"{step}.yml"
    verify = (scenario(role) / "verify.yml").read_text()
    assert "../../../../tests/roles/molecule/verify_baseline.yml" in verify
    converge = (scenario(role) / "converge.yml").read_text()
    assert f"name: {role}\n" in converge


@dataclass(frozen=True)
class MoleculeRun:
    role: str
    returncode: int
    output: str
    seconds: float


def run_molecule(role: str, base: Path) -> MoleculeRun:
    env = lab.ansible_env(base, BIN)
    env.pop("VIRTUAL_ENV", None)  # else molecule caches under the venv
    env.update(MOLECULE_EPHEMERAL_DIRECTORY=str(base / "ephemeral"), NO_COLOR="1", PY_COLORS="0")
    started = time.monotonic()
    proc = subprocess.run(
        [str(BIN / "molecule"), "test"],
        cwd=REPO / "roles" / role,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = ANSI.sub("", proc.stdout + proc.stderr)
    (base / "molecule.log").write_text(output)
    return MoleculeRun(role, proc.returncode, output, round(time.monotonic() - started, 1))


@pytest.fixture(scope="module")
def molecule_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[MoleculeRun]]]:
    """All selected scenarios start at once (PARALLEL at a time); each test waits for its own."""
    reason = lab_missing()
    if not (BIN / "molecule").exists():
        reason = "molecule is not installed (pip install -e '.[dev]')"
    if reason:
        pytest.skip(reason)
    selected = [
        item.callspec.params["role"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_molecule_test_passes"
    ]
    base = tmp_path_factory.mktemp("molecule")
    with ThreadPoolExecutor(PARALLEL) as pool:
        yield {role: pool.submit(run_molecule, role, base / role) for role in selected}


@pytest.mark.integration
@pytest.mark.parametrize("role", LINUX_ROLES)
def test_molecule_test_passes(molecule_runs: dict[str, Future[MoleculeRun]], role: str) -> None:
    run = molecule_runs[role].result()
    print(f"molecule test {role}: {run.seconds} s")
    tail = run.output[-6000:]
    assert run.returncode == 0, tail
    # The DETAILS summary: one line per step of the sequence, in order.
    executed = re.findall(r"^default (?:>|➜) (\w+): Executed: Successful$", run.output, re.M)
    assert executed == SEQUENCE, tail
    assert re.search(r"actions=9 +successful=\d+ .* failed=0", run.output), tail
