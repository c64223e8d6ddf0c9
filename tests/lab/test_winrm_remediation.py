"""The lab's remediation modules (lab/winrm/remediation.py) without Ansible: results shaped like
the real modules', check mode, idempotence, the records a later collection sees, the journal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lab.winrm.commands import ModuleCall
from lab.winrm.hostprofile import load_profile
from lab.winrm.hoststate import HostState, read_journal
from lab.winrm.remediation import answer

RDP = r"HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp"
UAC = r"HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System"
SMB = r"HKLM:\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters"


def _state(profile: str, tmp_path: Path | None = None) -> HostState:
    journal = None if tmp_path is None else tmp_path / "journal.jsonl"
    return HostState(load_profile(profile).collect_stdout, journal)


def _call(host: HostState, module: str, check: bool = False, **params: Any) -> dict[str, Any]:
    args = {**params, "_ansible_check_mode": check, "_ansible_diff": False}
    result = answer(host, ModuleCall(f"ansible_collections.x.y.plugins.modules.{module}.ps1", args))
    body: dict[str, Any] = json.loads(result.stdout)
    assert (result.exit_code != 0) == bool(body.get("failed")), body
    return body


def test_untouched_state_serves_the_recording_byte_for_byte() -> None:
    profile = load_profile("win10-22h2")
    assert HostState(profile.collect_stdout).stdout() == profile.collect_stdout


def test_regedit_changes_once_and_the_collection_shows_it(tmp_path: Path) -> None:
    state = _state("win7", tmp_path)
    assert state.section("rdp") == {
        "deny_ts_connections": 0, "user_authentication": 0, "security_layer": 1
    }
    first = _call(state, "win_regedit", path=RDP, name="UserAuthentication", data=1, type="dword")
    assert (first["changed"], first["data_changed"], first["data_type_changed"]) == (
        True, True, False
    )
    assert first["invocation"]["module_args"]["path"] == RDP
    assert (state.section("rdp") or {})["user_authentication"] == 1
    second = _call(state, "win_regedit", path=RDP, name="UserAuthentication", data=1, type="dword")
    assert second["changed"] is False
    line = next(ln for ln in state.stdout().decode().split("\r\n") if '"rdp"' in ln)
    assert json.loads(line)["data"]["user_authentication"] == 1
    journal = read_journal(tmp_path / "journal.jsonl")
    assert [(e["module"], e["changed"]) for e in journal] == [
        ("win_regedit", True), ("win_regedit", False)
    ]
    assert journal[0]["args"] == {
        "path": RDP, "name": "UserAuthentication", "data": 1, "type": "dword"
    }


def test_check_mode_reports_without_changing() -> None:
    state = _state("win10-22h2")
    assert _call(state, "win_user", check=True, name="Guest", account_disabled=True)["changed"]
    assert _call(state, "win_firewall", check=True, profiles=["Public"], state="enabled")["changed"]
    assert state.stdout() == load_profile("win10-22h2").collect_stdout


def test_uac_value_written_by_regedit() -> None:
    state = _state("win10-22h2")
    data = state.section("uac") or {}
    data["enable_lua"] = 0
    state.update("uac", data)
    assert _call(state, "win_regedit", path=UAC, name="EnableLUA", data=1, type="dword")["changed"]
    assert (state.section("uac") or {})["enable_lua"] == 1


def test_smb1_registry_alone_leaves_the_running_server_on() -> None:
    state = _state("win10-22h2")
    _call(state, "win_regedit", path=SMB, name="SMB1", data=0, type="dword")
    assert state.section("smb") == {
        "server_smb1_config": True, "server_smb1_registry": 0, "client_mrxsmb10_start": 2
    }
    script = "Set-SmbServerConfiguration -EnableSMB1Protocol $false -Force"
    assert _call(state, "win_powershell", script=script)["changed"] is True
    assert (state.section("smb") or {})["server_smb1_config"] is False
    assert _call(state, "win_powershell", script=script)["changed"] is False


def test_firewall_sets_the_local_value_and_policy_still_wins() -> None:
    state = _state("win10-22h2")
    data = state.section("firewall") or {}
    data["profiles"]["PublicProfile"]["policy"] = 0  # a GPO turns Public off
    state.update("firewall", data)
    result = _call(state, "win_firewall", profiles=["Domain", "Private", "Public"], state="enabled")
    assert result["changed"] is True
    assert result["Public"] == {"enabled": True, "considered": True, "currentstate": 0}
    assert result["Domain"]["enabled"] is True
    public = (state.section("firewall") or {})["profiles"]["PublicProfile"]
    assert public == {"local": 1, "policy": 0}
    again = _call(state, "win_firewall", profiles=["Public"], state="enabled")
    assert again["changed"] is False


def test_win_user_query_and_disable() -> None:
    state = _state("win10-22h2")
    query = _call(state, "win_user", name="guest", state="query")
    assert (query["state"], query["changed"], query["account_disabled"]) == (
        "present", False, False
    )
    assert query["sid"].endswith("-501")
    assert _call(state, "win_user", name="Nobody", state="query")["state"] == "absent"
    assert _call(state, "win_user", name="Guest", account_disabled=True)["changed"] is True
    guest = next(u for u in (state.section("accounts") or {})["users"] if u["name"] == "Guest")
    assert guest["disabled"] is True
    assert _call(state, "win_user", name="Guest", account_disabled=True)["changed"] is False


@pytest.mark.parametrize(
    ("module", "params", "message"),
    [
        ("win_service", {"name": "x"}, "not simulated"),
        ("win_user", {"name": "newbie", "account_disabled": True}, "creating an account"),
        ("win_user", {"name": "Guest", "password": "x"}, "not simulated"),
        ("win_powershell", {"script": "Remove-Item C:\\ -Recurse"}, "only simulates"),
        ("win_regedit", {"path": "HKCU:\\X", "name": "a", "data": 1}, "only simulates HKLM"),
    ],
)
def test_what_is_not_simulated_fails_loudly(
    tmp_path: Path, module: str, params: dict[str, Any], message: str
) -> None:
    state = _state("win10-22h2", tmp_path)
    body = _call(state, module, **params)
    assert body["failed"] is True and message in body["msg"]
    [entry] = read_journal(tmp_path / "journal.jsonl")
    assert entry["failed"] is True


def test_firewall_cmdlets_missing_before_windows_8() -> None:
    body = _call(_state("server2008r2"), "win_firewall", state="enabled")
    assert body["failed"] is True and "Get-NetFirewallProfile" in body["msg"]
