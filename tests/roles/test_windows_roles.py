"""Windows remediation end to end on the lab's WinRM endpoint: verify -> remediation playbook ->
`verify remediate apply` -> the modules Ansible really ran (the endpoint's journal), the
before/after table, a re-verify, and `changed=0` on a second ansible-playbook run.

The endpoint answers as a recorded profile (``lab/winrm/profiles``); remediation modules change
its in-memory copy of the recorded facts, so verify's collection script sees the fixed state
afterwards. Where no profile shows a finding (Windows Update disabled, Defender switched off,
another antivirus, a weak domain policy), the test changes the endpoint's copy before verify
runs, the way a technician or a GPO would have left the machine."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import lab
from lab.winrm import HostState, ServerHandle, profile_endpoint, profile_state, start
from lab.winrm.hoststate import read_journal
from tests.integration.verify_run import VERIFY
from tests.roles.role_helpers import apply_role

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ROLES = REPO / "roles"
BIN = Path(sys.executable).parent
HOST = "win-10"
PASSWORD = "Lab-remediation-pw-1"
TARGETED = {
    "win.smb.v1_disabled": "smb_hardening",
    "win.firewall.active": "windows_firewall",
    "win.accounts.guest_disabled": "windows_accounts",
    "win.password.min_length": "password_policy",
    "win.password.lockout": "password_policy",
}
RECAP = re.compile(r"^(?P<host>\S+)\s*:\s*ok=\d+\s+changed=(?P<changed>\d+)\s+", re.MULTILINE)
DEFENDER_POLICY = r"software\policies\microsoft\windows defender"


@dataclass
class WinHost:
    """One lab Windows host: its endpoint, journal, changeable state and inventory."""

    handle: ServerHandle
    journal: Path
    state: HostState
    inventory: Path
    name: str

    def calls(self, module: str, since: int = 0) -> list[dict[str, Any]]:
        return [e for e in read_journal(self.journal)[since:] if e["module"] == module]

    def fixes(self, since: int = 0) -> list[dict[str, Any]]:
        """Every journaled call but fact gathering (``setup``, which every play starts with)."""
        return [e for e in read_journal(self.journal)[since:] if e["module"] != "setup"]

    def scripts(self, marker: str, since: int = 0) -> list[dict[str, Any]]:
        """win_powershell calls whose script starts with ``# verify-role MARKER``."""
        return [
            e
            for e in self.calls("win_powershell", since)
            if e["args"]["script"].startswith(f"# verify-role {marker}")
        ]

    def mark(self) -> int:
        return len(read_journal(self.journal))


HostFactory = Callable[..., WinHost]


@pytest.fixture
def windows_host(tmp_path: Path) -> Iterator[HostFactory]:
    """Start a WinRM endpoint answering as ``profile``; ``prepare`` changes its records first."""
    handles: list[ServerHandle] = []

    def make(
        profile: str, name: str = HOST, prepare: Callable[[HostState], None] | None = None
    ) -> WinHost:
        journal = tmp_path / f"{name}.journal.jsonl"
        state = profile_state(profile, today=dt.date.today())
        if prepare is not None:
            prepare(state)
        ep = profile_endpoint(
            profile,
            "verify",
            PASSWORD,
            name=name,
            today=dt.date.today(),
            journal=journal,
            state=state,
        )
        handle = start([ep])
        handles.append(handle)
        inventory = _inventory(handle, name, tmp_path / f"{name}.inventory.yml")
        return WinHost(handle, journal, state, inventory, name)

    yield make
    for handle in handles:
        handle.stop()


def _inventory(handle: ServerHandle, name: str, path: Path) -> Path:
    [running] = handle.endpoints
    host: dict[str, Any] = {
        "ansible_host": "127.0.0.1",
        "ansible_port": running.port,
        "ansible_connection": "winrm",
        "ansible_winrm_transport": "ntlm",
        "ansible_winrm_scheme": "http",
        "ansible_user": "verify",
        "ansible_password": PASSWORD,
    }
    path.write_text(yaml.safe_dump({"windows": {"hosts": {name: host}}}), encoding="utf-8")
    return path


def _run(argv: list[str], workdir: Path, env_dir: str) -> subprocess.CompletedProcess[str]:
    env = lab.ansible_env(workdir / env_dir, BIN)
    env["COLUMNS"] = "200"  # the before/after table on one line per check
    return subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=workdir, timeout=900, check=False
    )


def _verify(host: WinHost, workdir: Path, label: str, *extra: str) -> dict[str, dict[str, Any]]:
    """Run `verify baseline` on the host; its checks by id (status, actual, message)."""
    report = workdir / f"{label}.json"
    proc = _run(
        [
            *VERIFY,
            "baseline",
            "-i",
            str(host.inventory),
            "--timeout",
            "5",
            "-o",
            str(report),
            *extra,
        ],
        workdir,
        f"v-{label}",
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    [result] = json.loads(report.read_text(encoding="utf-8"))["hosts"]
    return {c["id"]: c for c in result["checks"]}


def _statuses(checks: dict[str, dict[str, Any]], ids: Any) -> dict[str, str]:
    return {c: checks[c]["status"] for c in ids}


def _plan(host: WinHost, workdir: Path) -> tuple[Path, dict[str, dict[str, Any]]]:
    playbook = workdir / "remediation.yml"
    checks = _verify(host, workdir, "before", "--remediation", str(playbook))
    assert not read_journal(host.journal)  # collecting facts runs no module (raw PowerShell)
    return playbook, checks


def _apply(
    host: WinHost, workdir: Path, playbook: Path, label: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return _run(
        [
            *VERIFY,
            "remediate",
            "apply",
            str(playbook),
            "-i",
            str(host.inventory),
            "--timeout",
            "5",
            *extra,
        ],
        workdir,
        f"a-{label}",
    )


def _rows(applied: subprocess.CompletedProcess[str], ids: Any) -> dict[str, tuple[str, str]]:
    """check id -> (before, after) from the before/after table."""
    rows = {}
    for check_id in ids:
        row = next((ln for ln in applied.stdout.splitlines() if check_id in ln), None)
        assert row is not None, applied.stdout
        found = re.findall(r"\b(pass|fail|unknown|error)\b", row)
        rows[check_id] = (found[0], found[-1])
    return rows


def _again(host: WinHost, workdir: Path, playbook: Path, *extra: str) -> list[dict[str, Any]]:
    """A second plain ansible-playbook run: changed=0; the calls it made."""
    seen = host.mark()
    second = _run(
        [str(BIN / "ansible-playbook"), "-i", str(host.inventory), str(playbook), *extra],
        workdir,
        "again",
    )
    assert second.returncode == 0, second.stdout + second.stderr
    recap = {m["host"]: int(m["changed"]) for m in RECAP.finditer(second.stdout)}
    assert recap == {host.name: 0}, second.stdout
    rerun = host.fixes(seen)
    assert not any(e["changed"] for e in rerun), rerun
    return rerun


def _only(host: WinHost, *modules: str) -> None:
    calls = host.fixes()
    assert {e["module"] for e in calls} <= set(modules), calls
    assert not any(e["failed"] for e in calls)
    assert not any(e["check_mode"] for e in calls)


# ------------------------------------------------------------------ Windows 10 22H2, every fix


def test_windows_verify_fix_reverify(windows_host: HostFactory, tmp_path: Path) -> None:
    """The whole generated playbook on the Windows 10 host: SMB1, Public firewall, Guest and
    the local password policy go from fail to pass; Windows Update offers this end-of-support
    22H2 nothing in the baseline's categories, so win.updates.recent stays failed, said so."""
    host = windows_host("win10-22h2")
    playbook, before = _plan(host, tmp_path)
    assert _statuses(before, TARGETED) == dict.fromkeys(TARGETED, "fail"), before
    assert before["win.updates.recent"]["status"] == "fail"
    header, body = playbook.read_text(encoding="utf-8").split("\n---\n", 1)
    for role in {*TARGETED.values(), "windows_updates"}:
        assert f"roles/{role}" in body
    assert "win.os.supported" in header  # an end-of-life OS stays a manual action
    assert "not shipped" not in header  # every Windows role this host needs exists now

    applied = _apply(host, tmp_path, playbook, "1")
    output = applied.stdout + applied.stderr
    assert "ansible-playbook: successful" in applied.stdout, output

    # The modules Ansible ran, with the parameters the roles pass (journal of the endpoint).
    [regedit] = host.calls("win_regedit")
    assert regedit["args"] == {
        "path": "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters",
        "name": "SMB1",
        "data": 0,
        "type": "dword",
    }
    assert regedit["changed"] is True
    [smb_ps] = [
        e
        for e in host.calls("win_powershell")
        if "Set-SmbServerConfiguration -EnableSMB1Protocol $false" in e["args"]["script"]
    ]
    assert smb_ps["changed"] is True
    [firewall] = host.calls("win_firewall")
    assert firewall["args"] == {"profiles": ["Domain", "Private", "Public"], "state": "enabled"}
    assert firewall["changed"] is True
    users = host.calls("win_user")
    assert [u["args"] for u in users] == [
        {"name": "Guest", "state": "query"},
        {"name": "Guest", "account_disabled": True},
    ]
    assert [u["changed"] for u in users] == [False, True]
    # password_policy: a workgroup PC, so the local policy; the observation window (30) is
    # shortened before the duration (15) so it is never longer than the duration.
    policy = [
        (e["args"]["key"], e["args"]["value"], e["changed"])
        for e in host.calls("win_security_policy")
    ]
    assert policy == [
        ("MinimumPasswordLength", 12, True),
        ("LockoutBadCount", 10, True),
        ("ResetLockoutCount", 15, True),
        ("LockoutDuration", 15, True),
        ("ResetLockoutCount", 15, False),
    ]
    assert all(e["args"]["section"] == "System Access" for e in host.calls("win_security_policy"))
    [start_op] = [e for e in host.calls("win_updates") if e["args"]["_operation"] == "start"]
    assert start_op["args"]["category_names"] == [
        "SecurityUpdates",
        "CriticalUpdates",
        "UpdateRollups",
    ]
    assert start_op["args"]["reboot"] is False and start_op["installed"] == []
    assert "Windows Update offered no update in SecurityUpdates" in applied.stdout
    assert not host.calls("win_service")  # wuauserv is Manual: left alone
    assert not host.calls("reboot")
    _only(
        host,
        "win_regedit",
        "win_powershell",
        "win_firewall",
        "win_user",
        "win_security_policy",
        "win_updates",
    )

    # The before/after table: every targeted check went from fail to pass.
    rows = _rows(applied, [*TARGETED, "win.updates.recent"])
    assert {c: rows[c] for c in TARGETED} == dict.fromkeys(TARGETED, ("fail", "pass"))
    assert rows["win.updates.recent"] == ("fail", "fail")

    # An independent re-verify against the same endpoint agrees.
    after = _verify(host, tmp_path, "after")
    assert _statuses(after, TARGETED) == dict.fromkeys(TARGETED, "pass"), after
    assert after["win.password.lockout"]["actual"] == 10
    assert after["win.updates.recent"]["status"] == "fail"

    # Idempotence: a second run of the playbook changes nothing.
    rerun = _again(host, tmp_path, playbook)
    assert {e["module"] for e in rerun} >= {
        "win_regedit",
        "win_powershell",
        "win_firewall",
        "win_user",
        "win_security_policy",
        "win_updates",
    }


# ------------------------------------------------------------------ windows_updates


def test_windows_updates_restart_fixes_uptime_and_pending_restart(
    windows_host: HostFactory, tmp_path: Path
) -> None:
    """Windows 11 23H2, up 35 days with pending file renames: one restart (win_reboot through
    the endpoint: boot time, shutdown /r, boot time, logon test) fixes both checks; with
    `--skip-tags reboot` nothing runs at all."""
    host = windows_host("win11-23h2", name="win-11-23h2")
    checks = ("win.os.uptime", "win.updates.reboot_pending")
    playbook, before = _plan(host, tmp_path)
    assert _statuses(before, checks) == dict.fromkeys(checks, "fail")

    skipped = _run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            str(host.inventory),
            str(playbook),
            "--tags",
            ",".join(checks),
            "--skip-tags",
            "reboot",
        ],
        tmp_path,
        "skip",
    )
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert not host.fixes()  # both tasks are tagged reboot: nothing but fact gathering ran

    checked = _apply(host, tmp_path, playbook, "check", "--check", "--tags", ",".join(checks))
    assert "Check mode: nothing was changed" in checked.stdout, checked.stdout + checked.stderr
    # Check mode restarts nothing, so both tasks report the restart they would do.
    assert re.search(r"win-11-23h2\s*:\s*ok=\d+\s+changed=2\s", checked.stdout), checked.stdout
    assert [e["check_mode"] for e in host.fixes()] == [True, True]  # the two probes only
    assert not host.calls("reboot")
    seen = host.mark()

    applied = _apply(host, tmp_path, playbook, "1", "--tags", ",".join(checks))
    assert "ansible-playbook: successful" in applied.stdout, applied.stdout + applied.stderr
    assert _rows(applied, checks) == dict.fromkeys(checks, ("fail", "pass"))
    [restart] = host.calls("reboot")
    assert restart["args"]["command"].startswith("shutdown.exe /r /t 2 /c ")
    assert "windows_updates" in restart["args"]["msg"]
    probes = host.scripts("windows_updates: probe", seen)
    assert len(probes) == 2  # one per task (uptime, then pending restart); no second restart
    assert not host.calls("win_updates") and not host.calls("win_service")
    assert {e["module"] for e in host.fixes(seen)} == {"win_powershell", "reboot"}
    assert not any(e["failed"] or e["check_mode"] for e in host.fixes(seen))

    after = _verify(host, tmp_path, "after")
    assert _statuses(after, checks) == dict.fromkeys(checks, "pass")
    assert after["win.os.uptime"]["actual"] < 3600

    rerun = _again(host, tmp_path, playbook, "--tags", ",".join(checks))
    assert [e["module"] for e in rerun] == ["win_powershell", "win_powershell"]


def test_windows_updates_installs_the_failed_update_and_restarts(
    windows_host: HostFactory, tmp_path: Path
) -> None:
    """The role with the baseline's categories and restarts allowed, on the 23H2 laptop whose
    November update failed: win_updates installs it and the MSRT (not the definition update,
    another category), restarts as the update asks, and the next collection shows the update
    installed today, the new UBR and no restart pending."""
    host = windows_host("win11-23h2", name="win-11-23h2")
    before = _verify(host, tmp_path, "before")
    assert before["win.updates.reboot_pending"]["status"] == "fail"
    role_vars = {
        "windows_updates_categories": ["SecurityUpdates", "CriticalUpdates", "UpdateRollups"],
        "windows_updates_reboot": True,
    }
    first = apply_role(host.inventory, tmp_path, ROLES / "windows_updates", role_vars, host.name)
    assert first.returncode == 0 and first.recap["failed"] == 0, first.output
    assert first.recap["changed"] >= 1
    starts = [e for e in host.calls("win_updates") if e["args"]["_operation"] == "start"]
    assert [s["installed"] for s in starts] == [["KB5074120", "KB890830"], []]
    assert starts[0]["reboot_required"] is True
    assert all(s["args"]["reboot"] is True for s in starts)
    [restart] = host.calls("reboot")  # by win_updates' own reboot code
    assert "Reboot initiated by Ansible" in restart["args"]["msg"]
    assert {e["args"]["_operation"] for e in host.calls("win_updates")} == {
        "start",
        "poll",
        "cancel",
    }

    after = _verify(host, tmp_path, "after")
    assert after["win.updates.reboot_pending"]["status"] == "pass"
    assert after["win.updates.recent"]["status"] == "pass"
    assert str(after["win.updates.recent"]["actual"]).startswith(
        host.state.now().strftime("%Y-%m-%d")
    )
    assert (host.state.section("os") or {})["ubr"] == 7790
    kbs = [h["id"] for h in (host.state.section("hotfixes") or {})["items"]]
    assert "KB5074120" in kbs and "KB890830" not in kbs  # the MSRT is not a hotfix

    seen = host.mark()
    second = apply_role(host.inventory, tmp_path, ROLES / "windows_updates", role_vars, host.name)
    assert second.recap["changed"] == 0 and second.recap["failed"] == 0, second.output
    assert not host.calls("reboot", seen)
    assert "Windows Update offered no update" in second.output


def _wuauserv_disabled(state: HostState) -> None:
    services = state.section("services") or {}
    for item in services["items"]:
        if item["name"] == "wuauserv":
            item.update(state="Stopped", start_mode="Disabled")
    state.update("services", services)


def test_windows_updates_enables_a_disabled_update_service(
    windows_host: HostFactory, tmp_path: Path
) -> None:
    """Windows Update switched off "to stop the restarts": the service is enabled once (by the
    first of the two tasks that need it), then searching works; 22H2 still gets no update."""
    host = windows_host("win10-22h2", prepare=_wuauserv_disabled)
    checks = ("win.updates.recent", "win.updates.service_enabled")
    playbook, before = _plan(host, tmp_path)
    assert _statuses(before, checks) == dict.fromkeys(checks, "fail")

    applied = _apply(host, tmp_path, playbook, "1", "--tags", ",".join(checks))
    assert "ansible-playbook: successful" in applied.stdout, applied.stdout + applied.stderr
    [service] = host.calls("win_service")
    assert service["args"] == {"name": "wuauserv", "start_mode": "manual"}
    assert service["changed"] is True
    # The playbook's order is the baseline's: recent (service first, then the search), then
    # service_enabled, which finds the service enabled and leaves it.
    modules = [e["module"] for e in host.fixes()]
    assert modules.index("win_service") < modules.index("win_updates")
    assert _rows(applied, checks) == {
        "win.updates.service_enabled": ("fail", "pass"),
        "win.updates.recent": ("fail", "fail"),
    }
    after = _verify(host, tmp_path, "after")
    assert after["win.updates.service_enabled"]["actual"] == "manual"
    _again(host, tmp_path, playbook, "--tags", ",".join(checks))


# ------------------------------------------------------------------ windows_defender


def test_windows_defender_updates_old_signatures(windows_host: HostFactory, tmp_path: Path) -> None:
    host = windows_host("win11-23h2", name="win-11-23h2")
    playbook, before = _plan(host, tmp_path)
    assert before["win.antivirus.signatures"]["status"] == "fail"
    applied = _apply(host, tmp_path, playbook, "1", "--tags", "win.antivirus.signatures")
    assert "ansible-playbook: successful" in applied.stdout, applied.stdout + applied.stderr
    assert _rows(applied, ["win.antivirus.signatures"]) == {
        "win.antivirus.signatures": ("fail", "pass")
    }
    [probe] = host.scripts("windows_defender: probe")
    assert "CSFalconService" in probe["args"]["parameters"]["ThirdPartyServices"]
    [update] = host.scripts("windows_defender: signatures")
    assert update["args"]["parameters"] == {"MaxAgeDays": 7} and update["changed"] is True
    assert not host.scripts("windows_defender: realtime") and not host.calls("win_regedit")
    _only(host, "win_powershell")
    defender = host.state.section("defender") or {}
    assert defender["signature_age_days"] == 0
    rerun = _again(host, tmp_path, playbook, "--tags", "win.antivirus.signatures")
    assert len(rerun) == 2  # probe and the signature script, both unchanged


def _defender_switched_off(state: HostState) -> None:
    """Server 2022 where someone turned Defender off by policy "for SQL performance"."""
    state.registry[(DEFENDER_POLICY, "disableantispyware")] = ("dword", 1)
    state.registry[(DEFENDER_POLICY + r"\real-time protection", "disablerealtimemonitoring")] = (
        "dword",
        1,
    )
    services = state.section("services") or {}
    for item in services["items"]:
        if item["name"] == "WinDefend":
            item["state"] = "Stopped"
    state.update("services", services)
    defender = state.section("defender") or {}
    defender.update(am_service_enabled=False, antivirus_enabled=False, realtime_enabled=False)
    state.update("defender", defender)


def test_windows_defender_turns_a_switched_off_defender_back_on(
    windows_host: HostFactory, tmp_path: Path
) -> None:
    host = windows_host("server2022", name="win-2022", prepare=_defender_switched_off)
    checks = ("win.antivirus.running", "win.antivirus.realtime")
    playbook, before = _plan(host, tmp_path)
    assert _statuses(before, checks) == dict.fromkeys(checks, "fail")
    applied = _apply(host, tmp_path, playbook, "1", "--tags", ",".join(checks))
    assert "ansible-playbook: successful" in applied.stdout, applied.stdout + applied.stderr
    assert _rows(applied, checks) == dict.fromkeys(checks, ("fail", "pass"))
    removed = host.calls("win_regedit")
    assert [(e["args"]["name"], e["args"]["state"], e["changed"]) for e in removed] == [
        ("DisableAntiSpyware", "absent", True),
        ("DisableRealtimeMonitoring", "absent", True),
    ]
    assert removed[0]["args"]["path"] == r"HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender"
    assert [e["changed"] for e in host.scripts("windows_defender: service")] == [True, False]
    assert [e["changed"] for e in host.scripts("windows_defender: realtime")] == [False, False]
    assert not host.calls("win_service")  # WinDefend's configuration is protected
    _only(host, "win_powershell", "win_regedit")
    after = _verify(host, tmp_path, "after")
    assert after["win.antivirus.running"]["actual"] == ["defender"]
    rerun = _again(host, tmp_path, playbook, "--tags", ",".join(checks))
    assert not [e for e in rerun if e["module"] == "win_regedit"]  # no policy left to remove


def _sophos_and_weak_domain_policy(state: HostState) -> None:
    """The 23H2 laptop with Sophos as its antivirus (Defender passive, Sophos's definitions
    out of date) and a domain GPO that asks for 8 characters."""
    av = state.section("antivirus") or {}
    av["products"] = [
        {
            "name": "Windows Defender",
            "product_state": 393488,
            "timestamp": "Mon, 02 Nov 2026 15:30:19 GMT",
        },
        {
            "name": "Sophos Anti-Virus",
            "product_state": 266256,
            "timestamp": "Mon, 16 Nov 2026 08:00:00 GMT",
        },
    ]
    state.update("antivirus", av)
    services = state.section("services") or {}
    services["items"].append({"name": "SAVService", "state": "Running", "start_mode": "Auto"})
    state.update("services", services)
    policy = state.section("password_policy") or {}
    policy["net_accounts"] = [
        re.sub(r"\b12$", "8", line) if line.startswith("Minimum password length") else line
        for line in policy["net_accounts"]
    ]
    state.update("password_policy", policy)


def test_defender_and_password_roles_leave_what_they_must_not_fix(
    windows_host: HostFactory, tmp_path: Path
) -> None:
    """Another antivirus in charge and a domain member: both roles read, say why, change
    nothing, and the checks keep failing."""
    host = windows_host("win11-23h2", name="win-11-23h2", prepare=_sophos_and_weak_domain_policy)
    checks = ("win.antivirus.signatures", "win.password.min_length")
    playbook, before = _plan(host, tmp_path)
    assert _statuses(before, checks) == dict.fromkeys(checks, "fail")
    applied = _apply(host, tmp_path, playbook, "1", "--tags", ",".join(checks))
    assert "ansible-playbook: successful" in applied.stdout, applied.stdout + applied.stderr
    assert "Leaving Microsoft Defender alone: Sophos Anti-Virus, SAVService" in applied.stdout
    assert "member of northwind.local, whose Group Policy sets it" in applied.stdout
    assert _rows(applied, checks) == dict.fromkeys(checks, ("fail", "fail"))
    assert [e["args"]["script"].splitlines()[0] for e in host.fixes()] == [
        "# verify-role windows_defender: probe",
        "# verify-role password_policy: probe",
    ]
    assert not any(e["changed"] for e in host.fixes())


# ------------------------------------------------------------------ PowerShell 2.0


def test_powershell_2_hosts_get_no_module_at_all(windows_host: HostFactory, tmp_path: Path) -> None:
    """Windows 7 (PowerShell 2.0) cannot run Ansible's Windows modules. A plan made from the
    run knows it: every fix is a manual action naming WMF 5.1, and there is no play. A plan made
    from the saved report (which carries no facts) does write the tasks; then the lab answers
    like Windows 7 does, with the bootstrap wrapper's "Ansible requires PowerShell v5.1": the
    play fails at fact gathering, nothing changes, every check stays failed."""
    host = windows_host("win7", name="win-7")
    checks = ("win.updates.recent", "win.updates.reboot_pending", "win.antivirus.signatures")
    playbook, before = _plan(host, tmp_path)
    assert _statuses(before, checks) == dict.fromkeys(checks, "fail")
    text = playbook.read_text(encoding="utf-8")
    header, plays = text.split("\n---\n", 1)
    assert plays.strip() == "[]" and "import_role" not in text
    assert "this host has PowerShell 2.0" in " ".join(header.split())
    assert "Windows Management Framework 5.1" in " ".join(header.split())

    from_report = tmp_path / "from-report.yml"
    written = _run([*VERIFY, "remediate", str(tmp_path / "before.json"), "-o", str(from_report)],
                   tmp_path, "r-report")
    assert written.returncode == 0, written.stdout + written.stderr
    assert "import_role" in from_report.read_text(encoding="utf-8")
    applied = _apply(host, tmp_path, from_report, "1")
    assert applied.returncode == 1
    assert "ansible-playbook: failed" in applied.stdout and "win-7" in applied.stdout
    assert "Ansible requires PowerShell v5.1" in applied.stdout + applied.stderr
    assert _rows(applied, checks) == dict.fromkeys(checks, ("fail", "fail"))
    assert not read_journal(host.journal)
