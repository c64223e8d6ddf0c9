"""roles/auto_updates applied to a real lab sshd host, then re-verified with the real CLI.

The legacy Ubuntu 16.04 profile has no unattended-upgrades package and no
APT::Periodic::Unattended-Upgrade, so linux.updates.auto_updates fails.

The lab's apt sources offer only the pending upgrades, not unattended-upgrades, and the real
package's program cannot run there anyway (no systemd, no cron). So the test adds a flat
repository with a stand-in ``unattended-upgrades`` package built here with dpkg-deb: the
distribution's ``50unattended-upgrades`` as a conffile, no program. apt, dpkg, apt-config and
verify's collector are the real ones; installs land in overlays the test puts over the
host's ``/usr`` and ``/var`` (see test_package_updates.isolate_installs). What stays
unproven in the lab: that unattended-upgrades then really runs (that needs systemd's
apt-daily-upgrade.timer or cron; the role says so on a host without systemd).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import lab
from tests.roles.lab_packages import (
    add_flat_repo,
    build_deb,
    isolate_installs,
    publish_flat_repo,
)
from tests.roles.role_helpers import Outcome, applied_twice, baseline_vars, in_host

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "auto_updates"
CHECK = "linux.updates.auto_updates"
HOST = "auto-legacy"

# What Ubuntu 16.04's package ships (abridged): the -security pocket allowed, -updates not.
DISTRIBUTION_CONF = """// Automatically upgrade packages from these (origin:archive) pairs
Unattended-Upgrade::Allowed-Origins {
\t"${distro_id}:${distro_codename}";
\t"${distro_id}:${distro_codename}-security";
\t"${distro_id}ESM:${distro_codename}";
//\t"${distro_id}:${distro_codename}-updates";
};
Unattended-Upgrade::Package-Blacklist {
};
"""


def stand_in_repo(workdir: Path) -> Path:
    repo_dir = workdir / "extra-repo"
    repo_dir.mkdir()
    control = [
        ("Package", "unattended-upgrades"),
        ("Version", "0.90ubuntu0.10+verifylab1"),
        ("Architecture", "all"),
        ("Maintainer", "verify lab <lab@example.invalid>"),
        ("Section", "admin"),
        ("Priority", "optional"),
        ("Description", "verify lab stand-in for unattended-upgrades\n"
         " Configuration only: the real package's program is not part of the lab."),
    ]
    conf = "/etc/apt/apt.conf.d/50unattended-upgrades"
    deb = build_deb(workdir, control, {conf: (DISTRIBUTION_CONF.encode(), 0o644)}, (conf,))
    publish_flat_repo(repo_dir, [(deb, control)], {
        "Origin": "verify-lab", "Label": "verify-lab", "Suite": "lab", "Codename": "lab",
        "Date": "Tue, 01 Dec 2020 00:00:00 UTC",
    })
    return repo_dir


def prepare(the_lab: lab.Lab, base: Path) -> None:
    """Installs stay inside the host; the stand-in package is served from a flat repository."""
    isolate_installs(the_lab, HOST)
    add_flat_repo(the_lab, HOST, stand_in_repo(base))


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    base = tmp_path_factory.mktemp("auto_updates")
    with applied_twice(
        base, HOST, ROLE, baseline_vars(CHECK),
        prepare=lambda the_lab: prepare(the_lab, base),
        tools=("dpkg-deb",),
    ) as result:
        yield result


def test_baseline_asks_for_automatic_security_updates() -> None:
    assert baseline_vars(CHECK) == {
        "auto_updates_enabled": True,
        "auto_updates_security_only": True,
    }


def test_check_fails_before(outcome: Outcome) -> None:
    assert outcome.before.host(HOST)["status"] == "reachable"
    result = outcome.before.result(HOST, CHECK)
    assert (result["status"], result["actual"]) == ("fail", False), result


def test_first_apply_changes_the_host(outcome: Outcome) -> None:
    assert outcome.first.returncode == 0, outcome.first.output
    assert outcome.first.recap["failed"] == 0
    assert outcome.first.recap["changed"] > 0
    # No systemd in the lab: the role says what would have to run the upgrades.
    assert "not run by systemd" in outcome.first.output


def test_second_apply_changes_nothing(outcome: Outcome) -> None:
    assert outcome.second.returncode == 0, outcome.second.output
    assert outcome.second.recap["changed"] == 0, outcome.second.output
    assert outcome.second.recap["failed"] == 0


def test_check_passes_after(outcome: Outcome) -> None:
    assert outcome.after.host(HOST)["status"] == "reachable", outcome.after.host(HOST)
    result = outcome.after.result(HOST, CHECK)
    assert (result["status"], result["actual"]) == ("pass", True), result


def test_package_installed_through_apt(outcome: Outcome) -> None:
    status = in_host(outcome.lab, HOST, "dpkg-query", "-W", "-f=${Status}", "unattended-upgrades")
    assert status == "install ok installed"


def test_apt_reads_periodic_and_security_only_origins(outcome: Outcome) -> None:
    periodic = in_host(outcome.lab, HOST, "apt-config", "shell", "U",
                       "APT::Periodic::Unattended-Upgrade", "L",
                       "APT::Periodic::Update-Package-Lists")
    assert periodic.split() == ["U='1'", "L='1'"]
    # apt's merged view: the distribution's Allowed-Origins are cleared, only security
    # pockets remain (Ubuntu's, and ESM's).
    dump = in_host(outcome.lab, HOST, "apt-config", "dump", "Unattended-Upgrade")
    assert "Allowed-Origins::" not in dump, dump  # the node is left empty by #clear
    prefix = "Unattended-Upgrade::Origins-Pattern:: "
    patterns = [ln for ln in dump.splitlines() if ln.startswith(prefix)]
    assert patterns and all("-security" in p for p in patterns), dump
    assert "-updates" not in dump
    assert "origin=${distro_id},archive=${distro_codename}-security,label=Ubuntu" in dump
