"""roles/time_sync applied to a real lab sshd host, then re-verified with the real CLI.

The legacy Ubuntu 16.04 profile runs no time daemon, so linux.time.sync_running fails.

The lab cannot run a real time daemon: a real chronyd in a lab host would steer this
machine's clock (the hosts share the kernel's clock; there is no time namespace for it) and
has no network to reach a server. So the test adds a flat repository with a stand-in
``chrony`` package built here with dpkg-deb, in the style of the lab's other fake daemons:
``/usr/sbin/chronyd`` detaches a process named ``chronyd`` that keeps no time, and
``/etc/chrony/chrony.conf``. apt, dpkg and verify's collector are real; installs land in
overlays the test puts over the host's ``/usr`` and ``/var``
(see test_package_updates.isolate_installs). No systemd and no init script: the role starts
the daemon directly, and says that nothing will start it after a reboot.

linux.time.synchronized cannot honestly pass in the lab: nothing there synchronises a clock.
Before and after, ``timedatectl`` has no systemd to ask and the stand-in ships no
``chronyc``, so the fact is missing and the check stays ``unknown`` (never ``pass``); a
generated playbook does not include unknown checks.
"""

from __future__ import annotations

import subprocess
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
ROLE = REPO / "roles" / "time_sync"
RUNNING = "linux.time.sync_running"
SYNCED = "linux.time.synchronized"
HOST = "time-legacy"

LAUNCHER = """#!/bin/sh
# verify lab stand-in for chronyd: detaches like chronyd, keeps no time.
setsid /usr/lib/verify-lab/chronyd infinity </dev/null >/dev/null 2>&1 &
"""
CHRONY_CONF = "pool ntp.ubuntu.com iburst maxsources 4\ndriftfile /var/lib/chrony/chrony.drift\n"


def stand_in_repo(workdir: Path) -> Path:
    repo_dir = workdir / "extra-repo"
    repo_dir.mkdir()
    control = [
        ("Package", "chrony"),
        ("Version", "4.3-2+verifylab1"),  # libc6 Breaks chrony << 4.2-3~
        ("Architecture", "all"),
        ("Maintainer", "verify lab <lab@example.invalid>"),
        ("Section", "net"),
        ("Priority", "optional"),
        ("Description", "verify lab stand-in for chrony\n"
         " A daemon named chronyd that keeps no time (a copy of sleep)."),
    ]
    conf = "/etc/chrony/chrony.conf"
    files = {
        "/usr/sbin/chronyd": (LAUNCHER.encode(), 0o755),
        "/usr/lib/verify-lab/chronyd": (Path("/bin/sleep").read_bytes(), 0o755),
        conf: (CHRONY_CONF.encode(), 0o644),
    }
    deb = build_deb(workdir, control, files, (conf,))
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
    base = tmp_path_factory.mktemp("time_sync")
    with applied_twice(
        base, HOST, ROLE, baseline_vars(RUNNING),
        prepare=lambda the_lab: prepare(the_lab, base),
        tools=("dpkg-deb",),
    ) as result:
        yield result


def test_baseline_asks_for_time_sync() -> None:
    assert baseline_vars(RUNNING) == {"time_sync_enabled": True}
    assert baseline_vars(SYNCED) == {"time_sync_enabled": True}


def test_check_fails_before(outcome: Outcome) -> None:
    assert outcome.before.host(HOST)["status"] == "reachable"
    result = outcome.before.result(HOST, RUNNING)
    assert (result["status"], result["actual"]) == ("fail", False), result


def test_first_apply_installs_and_starts_chrony(outcome: Outcome) -> None:
    assert outcome.first.returncode == 0, outcome.first.output
    assert outcome.first.recap["failed"] == 0
    assert outcome.first.recap["changed"] == 2, outcome.first.output  # install, start
    assert "nothing starts it again after a reboot" in outcome.first.output
    status = in_host(outcome.lab, HOST, "dpkg-query", "-W", "-f=${Status}", "chrony")
    assert status == "install ok installed"


def test_second_apply_changes_nothing(outcome: Outcome) -> None:
    assert outcome.second.returncode == 0, outcome.second.output
    assert outcome.second.recap["changed"] == 0, outcome.second.output
    assert outcome.second.recap["failed"] == 0


def test_one_daemon_runs(outcome: Outcome) -> None:
    # The host's own PID namespace: only its processes.
    pid = outcome.lab.hosts[HOST].init_pid
    proc = subprocess.run(["nsenter", "-t", str(pid), "-m", "-p", "--", "pgrep", "-x", "chronyd"],
                          capture_output=True, text=True, timeout=60)
    assert len(proc.stdout.split()) == 1, proc


def test_sync_running_passes_after(outcome: Outcome) -> None:
    assert outcome.after.host(HOST)["status"] == "reachable", outcome.after.host(HOST)
    result = outcome.after.result(HOST, RUNNING)
    assert (result["status"], result["actual"]) == ("pass", True), result


def test_synchronized_stays_unknown_in_the_lab(outcome: Outcome) -> None:
    # Honest: no clock is synchronised in the lab, and nothing there can say it is.
    assert outcome.before.status(HOST, SYNCED) == "unknown", outcome.before.result(HOST, SYNCED)
    assert outcome.after.status(HOST, SYNCED) == "unknown", outcome.after.result(HOST, SYNCED)
