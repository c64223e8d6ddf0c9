"""roles/host_firewall applied to a real lab sshd host, then re-verified with the real CLI.

The legacy Ubuntu 16.04 profile has no ruleset in its network namespace, so
linux.firewall.active fails; after the role it passes, the host still answers SSH, and a
second run changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.roles.role_helpers import Outcome, applied_twice, baseline_vars, in_host

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "host_firewall"
CHECK = "linux.firewall.active"
HOST = "fw-legacy"


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    base = tmp_path_factory.mktemp("host_firewall")
    with applied_twice(
        base, HOST, ROLE, baseline_vars(CHECK)
    ) as result:
        yield result


def test_baseline_asks_for_a_default_deny_firewall() -> None:
    assert baseline_vars(CHECK) == {
        "host_firewall_enabled": True,
        "host_firewall_default_incoming": "deny",
    }


def test_check_fails_before(outcome: Outcome) -> None:
    assert outcome.before.host(HOST)["status"] == "reachable"
    assert outcome.before.status(HOST, CHECK) == "fail"


def test_first_apply_changes_the_host(outcome: Outcome) -> None:
    assert outcome.first.returncode == 0, outcome.first.output
    assert outcome.first.recap["failed"] == 0
    assert outcome.first.recap["changed"] > 0


def test_second_apply_changes_nothing(outcome: Outcome) -> None:
    assert outcome.second.returncode == 0, outcome.second.output
    assert outcome.second.recap["changed"] == 0, outcome.second.output
    assert outcome.second.recap["failed"] == 0


def test_check_passes_after_and_host_still_answers_ssh(outcome: Outcome) -> None:
    # The re-verify logs in over SSH again: the host is reachable, not just the check green.
    assert outcome.after.host(HOST)["status"] == "reachable", outcome.after.host(HOST)
    assert outcome.after.status(HOST, CHECK) == "pass", outcome.after.result(HOST, CHECK)


def test_loaded_ruleset_drops_by_default_and_lets_ssh_in(outcome: Outcome) -> None:
    live = in_host(outcome.lab, HOST, "nft", "list", "table", "inet", "host_firewall", network=True)
    assert "policy drop;" in live
    ssh = re.search(r"tcp dport (?:\{ ([^}]*) \}|(\d+)) accept", live)
    assert ssh, live
    ports = {int(p) for p in re.findall(r"\d+", ssh.group(0).split("accept")[0])}
    assert 22 in ports  # the host's sshd_config says Port 22 (sshd -T)
    assert "ct state established,related accept" in live
    assert 'iif "lo" accept' in live


def test_ruleset_is_persisted_for_boot(outcome: Outcome) -> None:
    rules = in_host(outcome.lab, HOST, "cat", "/etc/nftables/host_firewall.nft", network=True)
    assert "policy drop;" in rules
    boot = in_host(outcome.lab, HOST, "cat", "/etc/nftables.conf", network=True)
    assert 'include "/etc/nftables/host_firewall.nft"' in boot.splitlines()
    in_host(outcome.lab, HOST, "nft", "-c", "-f", "/etc/nftables.conf", network=True)
