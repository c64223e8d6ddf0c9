"""roles/accounts_hygiene applied to a real lab sshd host, then re-verified with the real CLI.

The legacy Ubuntu 16.04 profile has an account ``guest`` with an empty password field, so
linux.accounts.empty_password fails. Before applying, the test gives ``alice`` a real
password hash: the role must lock ``guest`` and leave every other shadow line as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import lab
from tests.integration.verify_run import Run, run_verify
from tests.roles.role_helpers import Apply, apply_role, baseline_vars, in_host

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "accounts_hygiene"
CHECK = "linux.accounts.empty_password"
HOST = "acct-legacy"
# `openssl passwd -6 -salt labsalt1 not-a-real-password`: an account that has a password.
ALICE_HASH = (
    "$6$labsalt1$tUF8puKrN.T0mfJdLqoot8OYP/PF6kOfmi5QhSspegf2V8lldy2EkbR7wH7VowqZXf9chqIDF"
    ".wRrNhy5jpef."
)


def shadow(the_lab: lab.Lab) -> dict[str, str]:
    """name -> whole shadow line."""
    lines = in_host(the_lab, HOST, "cat", "/etc/shadow").splitlines()
    return {ln.split(":", 1)[0]: ln for ln in lines if ln.strip()}


@dataclass(frozen=True)
class Outcome:
    before: Run
    shadow_before: dict[str, str]
    first: Apply
    shadow_after: dict[str, str]
    second: Apply
    after: Run


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    if os.geteuid() != 0:
        pytest.skip("the lab needs root")
    if not all(shutil.which(t) for t in ("unshare", "nsenter", "nft", "ssh-keygen")):
        pytest.skip("lab tools missing (run `make test` as root)")
    base = tmp_path_factory.mktemp("accounts_hygiene")
    state_dir = base / "lab"
    the_lab = lab.up(state_dir, hosts=[lab.HostSpec(HOST, "ubuntu1604")])
    try:
        inventory = the_lab.inventory_path
        in_host(the_lab, HOST, "usermod", "-p", ALICE_HASH, "alice")
        before = run_verify(inventory, base / "before", "-l", HOST, "--format", "json")
        shadow_before = shadow(the_lab)
        role_vars = baseline_vars(CHECK)
        first = apply_role(inventory, base, ROLE, role_vars, HOST)
        shadow_after = shadow(the_lab)
        second = apply_role(inventory, base, ROLE, role_vars, HOST)
        after = run_verify(inventory, base / "after", "-l", HOST, "--format", "json")
        yield Outcome(before, shadow_before, first, shadow_after, second, after)
    finally:
        lab.down(state_dir)


def test_baseline_asks_to_lock_empty_passwords() -> None:
    assert baseline_vars(CHECK) == {"accounts_lock_empty_password": True}


def test_check_fails_before(outcome: Outcome) -> None:
    assert outcome.before.host(HOST)["status"] == "reachable"
    result = outcome.before.result(HOST, CHECK)
    assert result["status"] == "fail", result
    assert result["actual"] == ["guest"]


def test_first_apply_locks_guest(outcome: Outcome) -> None:
    assert outcome.first.returncode == 0, outcome.first.output
    assert outcome.first.recap == {
        "ok": outcome.first.recap["ok"],
        "changed": 1,
        "unreachable": 0,
        "failed": 0,
    }, outcome.first.output
    assert outcome.shadow_before["guest"].split(":")[1] == ""
    assert outcome.shadow_after["guest"].split(":")[1] == "!"
    # Only the password field changed (usermod -L): ageing fields are kept.
    assert (
        outcome.shadow_after["guest"].split(":")[2:]
        == outcome.shadow_before["guest"].split(":")[2:]
    )


def test_accounts_with_a_password_are_not_touched(outcome: Outcome) -> None:
    assert outcome.shadow_after["alice"].split(":")[1] == ALICE_HASH
    others_before = {k: v for k, v in outcome.shadow_before.items() if k != "guest"}
    others_after = {k: v for k, v in outcome.shadow_after.items() if k != "guest"}
    assert others_after == others_before


def test_second_apply_changes_nothing(outcome: Outcome) -> None:
    assert outcome.second.returncode == 0, outcome.second.output
    assert outcome.second.recap["changed"] == 0, outcome.second.output
    assert outcome.second.recap["failed"] == 0


def test_check_passes_after(outcome: Outcome) -> None:
    assert outcome.after.host(HOST)["status"] == "reachable", outcome.after.host(HOST)
    result = outcome.after.result(HOST, CHECK)
    assert result["status"] == "pass", result


def test_no_hash_in_ansible_output(outcome: Outcome) -> None:
    for run in (outcome.first, outcome.second):
        assert ALICE_HASH not in run.output
        assert "$6$" not in run.output
