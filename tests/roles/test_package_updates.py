"""roles/package_updates applied to a real lab sshd host, then re-verified with the real CLI.

The legacy Ubuntu 16.04 profile has 5 pending updates, 3 of them from ``xenial-security``, and
its last apt run was in 2019: linux.updates.security_pending and linux.updates.recent fail
(linux.updates.pending passes: 5 is within the baseline's 25).

The lab's repositories hold placeholder ``.deb`` files (``lab/profiles.py``: "never
downloaded, apt-get -s only"): ``dpkg-deb`` rejects them, so as the lab starts, apt can
simulate the upgrades but not install them. And the lab overlays only ``/etc``,
``/var/lib/dpkg``, ``/var/log``, ``/opt`` and ``/usr/local``: a real install would write this
machine's ``/usr`` and ``/var``. So before applying, the test

- puts overlays over ``/usr`` and ``/var`` inside the host's mount namespace
  (:func:`isolate_installs`), so dpkg, maintainer-script triggers (man-db, install-info),
  debconf and apt's ``extended_states`` write into the host only;
- replaces each placeholder with a real package built from this machine's installed files of
  that package (same files, the ``+lab1`` version, no maintainer scripts), and refreshes the
  host's lists (:func:`make_lab_upgrades_installable`).

Then the role runs like a generated playbook does, once per failed check: with the
security_pending variables (security only), then with the recent variables (everything);
each call twice, the second must change nothing.

No reboot: a lab host cannot reboot (its PID 1 is the lab's init, the machine is shared).
The reboot decision is exercised without rebooting: with ``package_updates_reboot: true`` and
no reboot flag, the reboot task is skipped; with ``/run/reboot-required`` present, in check
mode, it reports the reboot it would do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import lab
from tests.integration.verify_run import Run, run_verify
from tests.roles.lab_packages import (
    apt_update,
    control_text,
    deb822,
    dpkg_deb,
    isolate_installs,
    publish_flat_repo,
)
from tests.roles.role_helpers import (
    ANSIBLE_PLAYBOOK,
    RECAP,
    Apply,
    apply_role,
    baseline_vars,
    in_host,
)

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "package_updates"
SECURITY = "linux.updates.security_pending"
PENDING = "linux.updates.pending"
RECENT = "linux.updates.recent"
UPTIME = "linux.os.uptime"
HOST = "pkg-legacy"


def apply_check_mode(
    inventory: Path, workdir: Path, role: Path, role_vars: dict[str, object], host: str
) -> Apply:
    """apply_role with ansible-playbook --check (nothing is changed on the host)."""
    playbook = workdir / "apply-check.yml"
    play = {
        "name": f"Check {role.name}",
        "hosts": "all",
        "gather_facts": True,
        "roles": [{"role": str(role), "vars": role_vars}],
    }
    playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), "-l", host, "--check", str(playbook)],
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


# ------------------------------------------------------------------ this role's lab setup


def repack_installed(stanza: list[tuple[str, str]], workdir: Path) -> Path:
    """A real .deb of the repository stanza's package and version, holding this machine's
    installed files of that package (the host's /usr is this machine's), no maintainer
    scripts."""
    fields = dict(stanza)
    name, arch = fields["Package"], fields.get("Architecture", "all")
    info = Path("/var/lib/dpkg/info")
    listing = next(p for p in (info / f"{name}.list", info / f"{name}:{arch}.list") if p.exists())
    stage = workdir / f"repack-{name}"
    (stage / "DEBIAN").mkdir(parents=True)
    for path in listing.read_text().splitlines():
        if not path or path == "/." or not os.path.lexists(path):
            continue
        target = stage / path.lstrip("/")
        if os.path.isdir(path):  # real dir, or /bin -> usr/bin on merged-/usr systems
            target.mkdir(parents=True, exist_ok=True)
        elif os.path.islink(path):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(os.readlink(path))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    status = deb822(Path("/var/lib/dpkg/status").read_text())
    installed = next(
        dict(s)
        for s in status
        if dict(s).get("Package") == name and dict(s).get("Architecture", arch) == arch
    )
    conffiles = [
        line.split()[0]
        for line in installed.get("Conffiles", "").splitlines()
        if line.strip()
        and "obsolete" not in line
        and (stage / line.split()[0].lstrip("/")).is_file()
    ]
    if conffiles:
        (stage / "DEBIAN" / "conffiles").write_text("".join(f"{c}\n" for c in conffiles))
    control = [(k, v) for k, v in stanza if k not in ("Filename", "Size", "SHA256", "MD5sum")]
    (stage / "DEBIAN" / "control").write_text(control_text(control), encoding="utf-8")
    return dpkg_deb(stage, workdir)


def make_lab_upgrades_installable(the_lab: lab.Lab, host: str, workdir: Path) -> list[str]:
    """Replace the placeholder .debs of the host's lab repositories with real packages;
    returns the package names offered."""
    names = []
    for repo_dir in sorted((the_lab.state_dir / "apt" / "ubuntu1604").iterdir()):
        release = dict(deb822((repo_dir / "Release").read_text())[0])
        release = {k: v for k, v in release.items() if k != "SHA256"}
        debs = []
        for stanza in deb822((repo_dir / "Packages").read_text()):
            old = repo_dir / dict(stanza)["Filename"]
            deb = repack_installed(stanza, workdir)
            old.unlink()
            shutil.move(deb, repo_dir / deb.name)
            debs.append((repo_dir / deb.name, stanza))
            names.append(dict(stanza)["Package"])
        publish_flat_repo(repo_dir, debs, release)
    apt_update(the_lab, host)
    return names


def task_output(output: str, task: str) -> str:
    """What ansible-playbook printed for one task (between its TASK line and the next)."""
    match = re.search(
        rf"^TASK \[[^\]]*{re.escape(task)}\][^\n]*\n(.*?)(?=^TASK |^PLAY RECAP)",
        output,
        re.MULTILINE | re.DOTALL,
    )
    assert match, output
    return match.group(1).strip()


def installed_version(the_lab: lab.Lab, package: str) -> str:
    return in_host(the_lab, HOST, "dpkg-query", "-W", "-f=${Version}", package)


@dataclass(frozen=True)
class Outcome:
    lab: lab.Lab
    offered: list[str]
    placeholder_error: str
    before: Run
    security_first: Apply
    security_second: Apply
    mid: Run
    versions_mid: dict[str, str]
    all_first: Apply
    all_second: Apply
    after: Run
    versions_after: dict[str, str]
    reboot_none_needed: Apply
    reboot_flagged_check: Apply


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    if os.geteuid() != 0:
        pytest.skip("the lab needs root")
    if not all(shutil.which(t) for t in ("unshare", "nsenter", "nft", "ssh-keygen", "dpkg-deb")):
        pytest.skip("lab tools missing (run `make test` as root)")
    base = tmp_path_factory.mktemp("package_updates")
    state_dir = base / "lab"
    the_lab = lab.up(state_dir, hosts=[lab.HostSpec(HOST, "ubuntu1604")])
    try:
        inventory = the_lab.inventory_path
        # As the lab starts: a placeholder is not a package dpkg can install.
        placeholder = next((state_dir / "apt" / "ubuntu1604" / "security").glob("*.deb"))
        probe = subprocess.run(
            ["dpkg-deb", "--info", str(placeholder)], capture_output=True, text=True
        )
        isolate_installs(the_lab, HOST)
        offered = make_lab_upgrades_installable(the_lab, HOST, base)
        before = run_verify(inventory, base / "before", "-l", HOST, "--format", "json")
        security_vars = baseline_vars(SECURITY)
        security_first = apply_role(inventory, base, ROLE, security_vars, HOST)
        security_second = apply_role(inventory, base, ROLE, security_vars, HOST)
        mid = run_verify(inventory, base / "mid", "-l", HOST, "--format", "json")
        versions_mid = {n: installed_version(the_lab, n) for n in offered}
        all_vars = baseline_vars(RECENT)
        all_first = apply_role(inventory, base, ROLE, all_vars, HOST)
        all_second = apply_role(inventory, base, ROLE, all_vars, HOST)
        after = run_verify(inventory, base / "after", "-l", HOST, "--format", "json")
        versions_after = {n: installed_version(the_lab, n) for n in offered}
        # Reboot decision only (the uptime criterion is off: this machine's uptime is not the
        # lab's to choose). No flag: nothing to do. Flag present: check mode reports it.
        reboot_vars = {**baseline_vars(UPTIME), "package_updates_reboot_max_uptime_days": 0}
        reboot_none_needed = apply_role(inventory, base, ROLE, reboot_vars, HOST)
        in_host(the_lab, HOST, "touch", "/run/reboot-required")
        reboot_flagged_check = apply_check_mode(inventory, base, ROLE, reboot_vars, HOST)
        yield Outcome(
            the_lab,
            offered,
            probe.stderr,
            before,
            security_first,
            security_second,
            mid,
            versions_mid,
            all_first,
            all_second,
            after,
            versions_after,
            reboot_none_needed,
            reboot_flagged_check,
        )
    finally:
        lab.down(state_dir)


def test_baseline_variables() -> None:
    assert baseline_vars(SECURITY) == {"package_updates_security_only": True}
    assert baseline_vars(PENDING) == {"package_updates_security_only": False}
    assert baseline_vars(RECENT) == {"package_updates_security_only": False}
    assert baseline_vars(UPTIME) == {"package_updates_reboot": True}


def test_lab_placeholders_are_not_installable(outcome: Outcome) -> None:
    # Why the test builds real packages: the lab's .debs are for apt-get -s only.
    assert "not a Debian format archive" in outcome.placeholder_error


def test_checks_before(outcome: Outcome) -> None:
    assert outcome.before.host(HOST)["status"] == "reachable"
    security = outcome.before.result(HOST, SECURITY)
    assert security["status"] == "fail", security
    assert security["actual"] == 3
    assert outcome.before.status(HOST, RECENT) == "fail"
    # 5 pending updates are within the baseline's 25: this one passes from the start.
    pending = outcome.before.result(HOST, PENDING)
    assert (pending["status"], pending["actual"]) == ("pass", 5), pending


def test_security_only_installs_exactly_the_security_updates(outcome: Outcome) -> None:
    assert outcome.security_first.returncode == 0, outcome.security_first.output
    assert outcome.security_first.recap["changed"] == 1, outcome.security_first.output
    upgraded = {n for n, v in outcome.versions_mid.items() if v.endswith("+lab1")}
    assert len(upgraded) == 3, outcome.versions_mid
    assert outcome.mid.status(HOST, SECURITY) == "pass", outcome.mid.result(HOST, SECURITY)
    assert outcome.mid.result(HOST, PENDING)["actual"] == 2  # the -updates ones are left


def test_security_only_second_apply_changes_nothing(outcome: Outcome) -> None:
    assert outcome.security_second.returncode == 0, outcome.security_second.output
    assert outcome.security_second.recap["changed"] == 0, outcome.security_second.output


def test_all_updates_then_every_check_passes(outcome: Outcome) -> None:
    assert outcome.all_first.returncode == 0, outcome.all_first.output
    assert outcome.all_first.recap["changed"] == 1, outcome.all_first.output
    assert all(v.endswith("+lab1") for v in outcome.versions_after.values()), outcome.versions_after
    assert outcome.after.host(HOST)["status"] == "reachable"
    for check in (SECURITY, PENDING, RECENT):
        assert outcome.after.status(HOST, check) == "pass", outcome.after.result(HOST, check)
    assert outcome.after.result(HOST, PENDING)["actual"] == 0


def test_all_updates_second_apply_changes_nothing(outcome: Outcome) -> None:
    assert outcome.all_second.returncode == 0, outcome.all_second.output
    assert outcome.all_second.recap["changed"] == 0, outcome.all_second.output
    assert outcome.all_second.recap["failed"] == 0


def test_this_machine_is_untouched(outcome: Outcome) -> None:
    # The host's upgrades landed in its overlays only.
    for name in outcome.offered:
        real = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, check=True
        ).stdout
        assert not real.endswith("+lab1"), (name, real)


def test_no_reboot_when_none_is_needed(outcome: Outcome) -> None:
    run = outcome.reboot_none_needed
    assert run.returncode == 0, run.output
    assert run.recap["changed"] == 0, run.output
    assert task_output(run.output, "Reboot the host").startswith("skipping:"), run.output


def test_reboot_flag_would_reboot_in_check_mode(outcome: Outcome) -> None:
    run = outcome.reboot_flagged_check
    assert run.returncode == 0, run.output
    assert task_output(run.output, "Reboot the host").startswith("changed:"), run.output
    assert outcome.after.status(HOST, UPTIME) == "pass"  # the lab host is this machine's age
