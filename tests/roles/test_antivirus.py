"""roles/antivirus applied to real lab sshd hosts, then re-verified with the real CLI.

Four hosts in one lab, the role applied twice to all of them (one ansible-playbook run each):

- ``av-legacy`` (Ubuntu 16.04 profile): no antivirus, linux.antivirus.running fails. The lab's
  apt sources have no ClamAV and a real clamd could not run there (no network for freshclam,
  hundreds of MB of signatures), so the test serves stand-in ``clamav-freshclam`` and
  ``clamav-daemon`` packages built with dpkg-deb (:func:`clamav_stand_in_repo`): the real
  package names, programs, Debian-style init scripts and conffiles; the daemons are copies of
  sleep named freshclam/clamd (the lab's fake-daemon approach). Like the real ones,
  ``freshclam -d`` "downloads" the signatures a moment after it starts, and clamd (and its
  init script) will not start without them, so the role's ordering is exercised. apt, dpkg,
  update-rc.d, Ansible's service module and verify's collector are real; installs land in
  overlays over the host's ``/usr`` and ``/var`` (:func:`isolate_installs`).
- ``av-sophos`` (Ubuntu 16.04): Sophos installed (``/opt/sophos-spl``) but not running: the
  check fails, and the role must not install ClamAV next to it.
- ``av-falcon`` (Rocky 9 profile): CrowdStrike's falcon-sensor runs: nothing to do.
- ``av-clamav`` (Debian 12 profile): clamd and freshclam already run: nothing to do.

Not exercised in the lab: systemd hosts, the RHEL family's EPEL packages and SELinux boolean,
a real signature download.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import lab
from tests.conftest import lab_missing
from tests.integration.verify_run import CANARIES, Run, run_verify
from tests.roles.lab_packages import (
    add_flat_repo,
    clamav_stand_in_repo,
    isolate_installs,
)
from tests.roles.role_helpers import Apply, apply_role_hosts, baseline_vars, in_host
from verifier.facts.linux import SECURITY_AGENTS

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "antivirus"
CHECK = "linux.antivirus.running"
LEGACY, SOPHOS, FALCON, CLAMAV = "av-legacy", "av-sophos", "av-falcon", "av-clamav"
HOSTS = [LEGACY, SOPHOS, FALCON, CLAMAV]


@dataclass(frozen=True)
class Outcome:
    lab: lab.Lab
    before: Run
    first: dict[str, Apply]
    second: dict[str, Apply]
    after: Run


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    reason = lab_missing()
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("antivirus")
    state_dir = base / "lab"
    the_lab = lab.up(
        state_dir,
        hosts=[
            lab.HostSpec(LEGACY, "ubuntu1604"),
            lab.HostSpec(SOPHOS, "ubuntu1604"),
            lab.HostSpec(FALCON, "rocky9"),
            lab.HostSpec(CLAMAV, "debian12"),
        ],
    )
    try:
        repo_dir = clamav_stand_in_repo(base / "packages")
        for host in (LEGACY, SOPHOS, CLAMAV):
            isolate_installs(the_lab, host)
        for host in (LEGACY, SOPHOS):  # ClamAV is installable there, so a wrong install shows
            add_flat_repo(the_lab, host, repo_dir)
        in_host(the_lab, SOPHOS, "mkdir", "-p", "/opt/sophos-spl/base/bin")  # installed, stopped
        inventory = the_lab.inventory_path
        before = run_verify(inventory, base / "before", "--format", "json")
        role_vars = baseline_vars(CHECK)
        first = apply_role_hosts(inventory, base, ROLE, role_vars, HOSTS)
        second = apply_role_hosts(inventory, base, ROLE, role_vars, HOSTS)
        after = run_verify(inventory, base / "after", "--format", "json")
        yield Outcome(the_lab, before, first, second, after)
    finally:
        lab.down(state_dir)


def test_baseline_asks_for_a_running_antivirus() -> None:
    assert baseline_vars(CHECK) == {"antivirus_state": "running"}


def test_role_knows_the_agents_verify_recognises() -> None:
    """The role's list of other agents is the collector's, ClamAV excepted."""
    role_vars = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    agents = role_vars["_antivirus_other_agents"]
    assert set(agents) == set(SECURITY_AGENTS) - {"clamav"}
    for name, agent in agents.items():
        spec = SECURITY_AGENTS[name]
        assert tuple(agent["packages"]) == spec.packages, name
        assert tuple(agent["processes"]) == spec.processes, name
        assert tuple(agent["paths"]) == spec.paths, name
    clamav = SECURITY_AGENTS["clamav"]
    for family in role_vars["_antivirus_clamav"].values():
        # What the role installs is what the collector reports as installed and running.
        assert set(family["packages"]) & set(clamav.packages), family
        assert {family["freshclam"]["process"], family["clamd"]["process"]} <= set(clamav.processes)


def test_checks_before(outcome: Outcome) -> None:
    for host in HOSTS:
        assert outcome.before.host(host)["status"] == "reachable", outcome.before.host(host)
    for host in (LEGACY, SOPHOS):
        result = outcome.before.result(host, CHECK)
        assert (result["status"], result["actual"]) == ("fail", []), result
    assert outcome.before.result(FALCON, CHECK)["actual"] == ["crowdstrike"]
    assert outcome.before.result(CLAMAV, CHECK)["actual"] == ["clamav"]
    assert outcome.before.status(FALCON, CHECK) == outcome.before.status(CLAMAV, CHECK) == "pass"


def test_first_apply_installs_and_starts_clamav_on_the_bare_host(outcome: Outcome) -> None:
    run = outcome.first[LEGACY]
    assert run.returncode == 0, run.output
    assert run.recap["failed"] == 0
    assert run.recap["changed"] == 3, run.output  # install, start freshclam, start clamd
    for package in ("clamav-daemon", "clamav-freshclam"):
        status = in_host(outcome.lab, LEGACY, "dpkg-query", "-W", "-f=${Status}", package)
        assert status == "install ok installed", package
    # freshclam's first "download" came before clamd (which needs it) was started.
    assert "Wait for freshclam's first signature download" in run.output
    signatures = in_host(outcome.lab, LEGACY, "ls", "/var/lib/clamav").split()
    assert {"main.cvd", "daily.cvd"} <= set(signatures), signatures


def test_daemons_run_once_and_start_at_boot(outcome: Outcome) -> None:
    pid = outcome.lab.hosts[LEGACY].init_pid
    for process in ("clamd", "freshclam"):
        proc = subprocess.run(
            ["nsenter", "-t", str(pid), "-m", "-p", "--", "pgrep", "-x", process],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert len(proc.stdout.split()) == 1, (process, proc)
    # No systemd in the lab: the init scripts, enabled by update-rc.d through Ansible's
    # service module (start links in the default runlevels).
    links = in_host(outcome.lab, LEGACY, "sh", "-c", "ls /etc/rc2.d /etc/rc5.d")
    for service in ("clamav-daemon", "clamav-freshclam"):
        assert links.count(service) == 2, links
    # The reboot warning is for hosts without systemd and without init scripts: the lab's
    # Debian 12 host (its daemons run, nothing would restart them), not the legacy one.
    output = outcome.first[LEGACY].output
    warning = r'ok: \[{}\] => \{{\s*"msg": "This host is not run by systemd'
    assert not re.search(warning.format(LEGACY), output), output
    assert re.search(warning.format(CLAMAV), output), output


def test_other_agents_are_left_alone(outcome: Outcome) -> None:
    for host in (SOPHOS, FALCON, CLAMAV):
        run = outcome.first[host]
        assert run.returncode == 0, run.output
        assert run.recap["changed"] == 0 and run.recap["failed"] == 0, (host, run.output)
    output = outcome.first[SOPHOS].output
    assert "Sophos Protection for Linux is already on this host (directory /opt/sophos-spl)" in (
        " ".join(output.split())
    ), output
    assert "CrowdStrike Falcon is already on this host (process falcon-sensor" in (
        " ".join(output.split())
    ), output
    sophos_clamav = subprocess.run(
        [
            "nsenter",
            "-t",
            str(outcome.lab.hosts[SOPHOS].init_pid),
            "-m",
            "--",
            "dpkg-query",
            "-W",
            "-f=${Status}",
            "clamav-daemon",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "install ok installed" not in sophos_clamav.stdout, sophos_clamav


def test_second_apply_changes_nothing(outcome: Outcome) -> None:
    for host in HOSTS:
        run = outcome.second[host]
        assert run.returncode == 0, run.output
        assert run.recap["changed"] == 0 and run.recap["failed"] == 0, (host, run.output)


def test_checks_after(outcome: Outcome) -> None:
    result = outcome.after.result(LEGACY, CHECK)
    assert (result["status"], result["actual"]) == ("pass", ["clamav"]), result
    # The stopped Sophos stays a failure for its owner to fix, not ClamAV's to paper over.
    sophos = outcome.after.result(SOPHOS, CHECK)
    assert (sophos["status"], sophos["actual"]) == ("fail", []), sophos
    assert outcome.after.status(FALCON, CHECK) == outcome.after.status(CLAMAV, CHECK) == "pass"
    for canary in CANARIES:
        assert canary not in outcome.first[LEGACY].output + outcome.after.stdout


def test_this_machine_is_untouched(outcome: Outcome) -> None:
    for path in ("/usr/sbin/clamd", "/usr/bin/freshclam", "/etc/init.d/clamav-daemon"):
        real = Path(path)
        assert not real.exists() or "verify lab" not in real.read_text(errors="replace"), path
    assert not Path("/var/lib/clamav/main.cvd").exists() or "verify lab" not in Path(
        "/var/lib/clamav/main.cvd"
    ).read_text(errors="replace")
    real = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "clamav-daemon"], capture_output=True, text=True
    )
    assert "verifylab" not in real.stdout
