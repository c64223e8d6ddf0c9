"""Windows remediation end to end on the lab's WinRM endpoint: verify -> remediation playbook ->
`verify remediate apply` -> the modules Ansible really ran (the endpoint's journal), the
before/after table, a re-verify, and `changed=0` on a second ansible-playbook run.

The endpoint answers as the recorded ``win10-22h2`` host (SMB1 on, firewall off for the Public
profile, Guest enabled); remediation modules change its in-memory copy of the recorded facts, so
verify's collection script sees the fixed state afterwards."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import lab
from lab.winrm import ServerHandle, profile_endpoint, start
from lab.winrm.hoststate import read_journal
from tests.integration.verify_run import VERIFY

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
HOST = "win-10"
PASSWORD = "Lab-remediation-pw-1"
TARGETED = {
    "win.smb.v1_disabled": "smb_hardening",
    "win.firewall.active": "windows_firewall",
    "win.accounts.guest_disabled": "windows_accounts",
}
RECAP = re.compile(r"^(?P<host>\S+)\s*:\s*ok=\d+\s+changed=(?P<changed>\d+)\s+", re.MULTILINE)


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[tuple[ServerHandle, Path]]:
    journal = tmp_path / "journal.jsonl"
    ep = profile_endpoint(
        "win10-22h2", "verify", PASSWORD, name=HOST, today=dt.date.today(), journal=journal
    )
    handle = start([ep])
    try:
        yield handle, journal
    finally:
        handle.stop()


def _inventory(handle: ServerHandle, path: Path) -> Path:
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
    path.write_text(yaml.safe_dump({"windows": {"hosts": {HOST: host}}}), encoding="utf-8")
    return path


def _run(argv: list[str], workdir: Path, env_dir: str) -> subprocess.CompletedProcess[str]:
    env = lab.ansible_env(workdir / env_dir, BIN)
    env["COLUMNS"] = "200"  # the before/after table on one line per check
    return subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=workdir, timeout=900, check=False
    )


def _statuses(report: Path) -> dict[str, str]:
    document = json.loads(report.read_text(encoding="utf-8"))
    [host] = document["hosts"]
    return {c["id"]: c["status"] for c in host["checks"]}


def _calls(journal: Path, module: str) -> list[dict[str, Any]]:
    return [e for e in read_journal(journal) if e["module"] == module]


def test_windows_verify_fix_reverify(endpoint: tuple[ServerHandle, Path], tmp_path: Path) -> None:
    handle, journal = endpoint
    inventory = _inventory(handle, tmp_path / "inventory.yml")
    playbook = tmp_path / "rem.yml"

    first = _run(
        [*VERIFY, "baseline", "-i", str(inventory), "--timeout", "5", "-o", "before.json",
         "--remediation", str(playbook)],
        tmp_path, "v1",
    )
    assert first.returncode == 1, first.stdout + first.stderr
    before = _statuses(tmp_path / "before.json")
    assert {c: before[c] for c in TARGETED} == dict.fromkeys(TARGETED, "fail"), before
    text = playbook.read_text(encoding="utf-8")
    header, body = text.split("\n---\n", 1)
    for role in TARGETED.values():
        assert f"roles/{role}" in body
    assert "win.os.supported" in header  # an end-of-life OS stays a manual action
    assert not read_journal(journal)  # collecting facts runs no module (raw PowerShell only)

    applied = _run(
        [*VERIFY, "remediate", "apply", str(playbook), "-i", str(inventory), "--timeout", "5"],
        tmp_path, "a1",
    )
    output = applied.stdout + applied.stderr
    assert "ansible-playbook: successful" in applied.stdout, output

    # The modules Ansible ran, with the parameters the roles pass (journal of the endpoint).
    [regedit] = _calls(journal, "win_regedit")
    assert regedit["args"] == {
        "path": "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters",
        "name": "SMB1",
        "data": 0,
        "type": "dword",
    }
    assert regedit["changed"] is True
    [smb_ps] = _calls(journal, "win_powershell")
    assert "Set-SmbServerConfiguration -EnableSMB1Protocol $false" in smb_ps["args"]["script"]
    assert smb_ps["changed"] is True
    [firewall] = _calls(journal, "win_firewall")
    assert firewall["args"] == {"profiles": ["Domain", "Private", "Public"], "state": "enabled"}
    assert firewall["changed"] is True
    users = _calls(journal, "win_user")
    assert [u["args"] for u in users] == [
        {"name": "Guest", "state": "query"},
        {"name": "Guest", "account_disabled": True},
    ]
    assert [u["changed"] for u in users] == [False, True]
    assert not any(e["failed"] for e in read_journal(journal))
    assert not any(e["check_mode"] for e in read_journal(journal))

    # The before/after table: every targeted check went from fail to pass.
    for check_id in TARGETED:
        row = next((ln for ln in applied.stdout.splitlines() if check_id in ln), None)
        assert row is not None, applied.stdout
        assert re.search(r"\bfail\b.*\bpass\b", row), row

    # An independent re-verify against the same endpoint agrees.
    again = _run(
        [*VERIFY, "baseline", "-i", str(inventory), "--timeout", "5", "-o", "after.json"],
        tmp_path, "v2",
    )
    assert again.returncode in (0, 1), again.stderr
    after = _statuses(tmp_path / "after.json")
    assert {c: after[c] for c in TARGETED} == dict.fromkeys(TARGETED, "pass"), after

    # Idempotence: a second run of the playbook changes nothing.
    seen = len(read_journal(journal))
    second = _run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)], tmp_path, "a2"
    )
    assert second.returncode == 0, second.stdout + second.stderr
    recap = {m["host"]: int(m["changed"]) for m in RECAP.finditer(second.stdout)}
    assert recap == {HOST: 0}, second.stdout
    rerun = read_journal(journal)[seen:]
    assert {e["module"] for e in rerun} >= {"win_regedit", "win_powershell", "win_firewall",
                                            "win_user"}
    assert not any(e["changed"] for e in rerun)
