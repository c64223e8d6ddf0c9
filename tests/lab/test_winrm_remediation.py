"""The lab's remediation modules (lab/winrm/remediation.py) without Ansible: results shaped like
the real modules', check mode, idempotence, the records a later collection sees, the journal;
and what verify makes of those records (verifier.facts.windows.normalize)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from lab.winrm import power
from lab.winrm.commands import ModuleCall
from lab.winrm.handlers import CommandRequest
from lab.winrm.hostprofile import RECORDED_ON, load_profile
from lab.winrm.hoststate import HostState, read_journal
from lab.winrm.profile_handler import profile_handler, profile_state
from lab.winrm.remediation import ROLE_SCRIPTS, answer
from verifier.facts.windows import normalize

REPO = Path(__file__).resolve().parents[2]

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
    # FailJson exits 1; win_powershell reports a failed script through ExitJson (exit 0).
    assert result.exit_code == 0 or body.get("failed"), body
    return body


def test_untouched_state_serves_the_recording_byte_for_byte() -> None:
    profile = load_profile("win10-22h2")
    assert HostState(profile.collect_stdout).stdout() == profile.collect_stdout


def test_regedit_changes_once_and_the_collection_shows_it(tmp_path: Path) -> None:
    state = _state("win7", tmp_path)
    assert state.section("rdp") == {
        "deny_ts_connections": 0,
        "user_authentication": 0,
        "security_layer": 1,
    }
    first = _call(state, "win_regedit", path=RDP, name="UserAuthentication", data=1, type="dword")
    assert (first["changed"], first["data_changed"], first["data_type_changed"]) == (
        True,
        True,
        False,
    )
    assert first["invocation"]["module_args"]["path"] == RDP
    assert (state.section("rdp") or {})["user_authentication"] == 1
    second = _call(state, "win_regedit", path=RDP, name="UserAuthentication", data=1, type="dword")
    assert second["changed"] is False
    line = next(ln for ln in state.stdout().decode().split("\r\n") if '"rdp"' in ln)
    assert json.loads(line)["data"]["user_authentication"] == 1
    journal = read_journal(tmp_path / "journal.jsonl")
    assert [(e["module"], e["changed"]) for e in journal] == [
        ("win_regedit", True),
        ("win_regedit", False),
    ]
    assert journal[0]["args"] == {
        "path": RDP,
        "name": "UserAuthentication",
        "data": 1,
        "type": "dword",
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
        "server_smb1_config": True,
        "server_smb1_registry": 0,
        "client_mrxsmb10_start": 2,
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
        "present",
        False,
        False,
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
        ("win_package", {"path": "x.msi"}, "not simulated"),
        ("win_service", {"name": "wuauserv", "path": "C:\\x.exe"}, "not simulated"),
        (
            "win_security_policy",
            {"section": "System Access", "key": "PasswordComplexity", "value": 1},
            "not simulated",
        ),
        (
            "win_updates",
            {"category_names": ["SecurityUpdates"], "server_selection": "windows_update"},
            "not simulated",
        ),
        (
            "win_powershell",
            {"script": "# verify-role windows_defender: uninstall"},
            "only simulates",
        ),
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


# ------------------------------------------------------------------ helpers for the new modules


def _live(profile: str, tmp_path: Path | None = None) -> HostState:
    """The profile's state as an endpoint serves it (catalogue included), optionally journaled."""
    state = profile_state(profile)
    if tmp_path is not None:
        state.journal = tmp_path / "journal.jsonl"
    return state


def _script(state: HostState, name: str, check: bool = False, **parameters: Any) -> dict[str, Any]:
    text = REPO / "roles" / name.split(": ")[0] / "files" / f"{name.split(': ')[1]}.ps1"
    return _call(
        state,
        "win_powershell",
        check=check,
        script=text.read_text(encoding="utf-8"),
        parameters=parameters or None,
    )


def _facts(state: HostState) -> dict[str, Any]:
    facts, errors = normalize(state.stdout().decode("utf-8"), RECORDED_ON)
    assert not errors, errors
    return facts


def _updates(host: HostState, check: bool = False, **params: Any) -> list[dict[str, Any]]:
    """start, poll, cancel as the action plugin does: the progress records."""
    start = _call(host, "win_updates", check=check, _operation="start", **params)
    assert set(start) >= {"poll_options", "cancel_options", "invocation"}, start
    poll = _call(
        host, "win_updates", _operation="poll", _operation_options=start["poll_options"], **params
    )
    cancel = _call(
        host,
        "win_updates",
        _operation="cancel",
        _operation_options=start["cancel_options"],
        **params,
    )
    assert cancel["changed"] is False and not cancel.get("failed")
    output: list[dict[str, Any]] = poll["output"]
    assert output[-1]["task"] == "exit"
    return output


def _task(output: list[dict[str, Any]], task: str) -> dict[str, Any]:
    [found] = [o["result"] for o in output if o["task"] == task]
    return found


def _encoded(script: str) -> CommandRequest:
    encoded = base64.b64encode(script.encode("utf-16-le")).decode()
    argv = "-NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand " + encoded
    return CommandRequest("PowerShell", (argv,))


# ------------------------------------------------------------------ win_service


def test_win_service_enables_a_disabled_service_once() -> None:
    state = _live("win10-22h2")
    services = state.section("services") or {}
    for item in services["items"]:
        if item["name"] == "wuauserv":
            item["start_mode"] = "Disabled"
    state.update("services", services)
    assert _facts(state)["updates"]["service_start_mode"] == "disabled"
    checked = _call(state, "win_service", check=True, name="wuauserv", start_mode="manual")
    assert checked["changed"] is True and checked["start_mode"] == "manual"
    assert _facts(state)["updates"]["service_start_mode"] == "disabled"
    result = _call(state, "win_service", name="wuauserv", start_mode="manual")
    assert (result["changed"], result["exists"], result["display_name"], result["state"]) == (
        True,
        True,
        "Windows Update",
        "running",
    )
    assert result["invocation"]["module_args"]["start_mode"] == "manual"
    assert _facts(state)["updates"]["service_start_mode"] == "manual"
    assert _call(state, "win_service", name="wuauserv", start_mode="manual")["changed"] is False


def test_win_service_cannot_open_the_protected_defender_service() -> None:
    body = _call(_live("win10-22h2"), "win_service", name="WinDefend", state="started")
    assert body["failed"] is True
    assert "Failed to open service 'WinDefend' (Access is denied, Win32ErrorCode 5" in body["msg"]
    missing = _call(_live("win10-22h2"), "win_service", name="Nope", start_mode="auto")
    assert "Service 'Nope' is not installed" in missing["msg"]


# ------------------------------------------------------------------ win_updates


def test_win_updates_installs_what_the_categories_select(tmp_path: Path) -> None:
    state = _live("win11-23h2", tmp_path)
    wanted = {
        "category_names": ["SecurityUpdates", "CriticalUpdates", "UpdateRollups"],
        "state": "installed",
        "reboot": False,
    }
    checked = _updates(state, check=True, **wanted)
    assert _task(checked, "exit")["changed"] is True
    assert _facts(state)["updates"]["last_update"].startswith("2026-10-15")  # nothing installed
    output = _updates(state, **wanted)
    search = _task(output, "search_result")
    assert [u["title"][:28] for u in search["updates"]] == [
        "2026-11 Security Update (KB5",
        "Windows Malicious Software R",
        "Security Intelligence Update",
    ]
    assert search["filtered"] == [{"id": search["updates"][2]["id"], "reasons": ["category_names"]}]
    assert [i["result_code"] for i in _task(output, "install_result")["info"]] == [2, 2]
    assert _task(output, "exit") == {
        "changed": True,
        "failed": False,
        "reboot_required": True,
        "action": None,
        "exception": None,
    }
    facts = _facts(state)
    assert facts["updates"]["last_update_title"] in (
        "2026-11 Security Update (KB5074120) (22631.7790)",
        "Windows Malicious Software Removal Tool x64 - v5.148 (KB890830)",
    )
    assert facts["updates"]["reboot_pending"] is True
    assert (state.section("reboot") or {})["wu_reboot_required"] is True
    start = [
        e
        for e in read_journal(tmp_path / "journal.jsonl")
        if e["args"].get("_operation") == "start"
    ]
    assert [e["installed"] for e in start] == [[], ["KB5074120", "KB890830"]]
    assert [e["check_mode"] for e in start] == [True, False]
    # Installed updates are no longer offered; the pending restart blocks what is left.
    again = _updates(state, **wanted)
    assert _task(again, "exit")["changed"] is False
    blocked = _updates(state, category_names=["DefinitionUpdates"])
    assert _task(blocked, "exit")["exception"]["message"] == (
        "A reboot is required before more updates can be installed"
    )


def test_win_updates_empty_category_list_means_every_category() -> None:
    state = _live("win10-22h2")
    output = _updates(state, category_names=[])
    assert _task(output, "search_result")["filtered"] == []
    assert _task(output, "exit")["changed"] is True  # the definition update was installed
    assert (state.section("defender") or {})["signature_age_days"] == 0
    # 22H2 without ESU: nothing else is offered, so verify's last update stays October 2025.
    assert _facts(state)["updates"]["last_update"].startswith("2025-10-15")


def test_win_updates_fails_while_the_service_is_disabled() -> None:
    state = _live("win10-22h2")
    services = state.section("services") or {}
    for item in services["items"]:
        if item["name"] == "wuauserv":
            item["start_mode"] = "Disabled"
    state.update("services", services)
    exit_ = _task(_updates(state, category_names=["SecurityUpdates"]), "exit")
    assert exit_["failed"] is True and exit_["exception"]["hresult"] == -2147023838
    assert "0x80070422" in exit_["exception"]["message"]
    poll = _call(state, "win_updates", _operation="poll", _operation_options={"pipe_name": "x"})
    assert poll["failed"] is True and "pipe" in poll["msg"]


# ------------------------------------------------------------------ restarts (win_reboot)


def test_restart_resets_uptime_and_clears_pending_indicators(tmp_path: Path) -> None:
    """The reboot plugin's raw commands: boot time, shutdown /r (1190 when one is scheduled,
    /a aborts it, 1116 when there is none), the boot time again, the logon test."""
    handler = profile_handler("win11-23h2", journal=tmp_path / "journal.jsonl")
    boot_cmd = power.BOOT_TIME_COMMAND + "; If (-not $?) { exit 1 }"
    first = int(handler(_encoded(boot_cmd)).stdout)
    recorded = dt.datetime(2026, 10, 19, 12, 44, 6, tzinfo=dt.UTC)
    epoch = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
    assert first == int((recorded - epoch).total_seconds()) * 10**7

    def shutdown(delay: int) -> dict[str, Any]:
        text = f"$x = . {{ C:\\Windows\\System32\\shutdown.exe /r /t {delay} /c 'By Ansible' }}"
        out: dict[str, Any] = json.loads(handler(_encoded(text)).stdout)
        return out

    assert shutdown(600) == {"stdout": "", "stderr": "", "rc": 0}
    assert shutdown(600)["rc"] == 1190
    logon = f"Get-Item -LiteralPath '{power.LOGON_UI_KEY}' -ErrorAction Stop; 'success-123'"
    assert handler(_encoded(logon)).exit_code == 1  # the restart command removed the key
    assert handler(_encoded("C:\\Windows\\System32\\shutdown.exe /a")).exit_code == 0
    assert handler(_encoded("C:\\Windows\\System32\\shutdown.exe /a")).exit_code == 1116
    assert int(handler(_encoded(boot_cmd)).stdout) == first
    assert shutdown(0)["rc"] == 0
    assert int(handler(_encoded(boot_cmd)).stdout) > first
    assert handler(_encoded(logon)).stdout.decode().strip() == "success-123"
    entries = read_journal(tmp_path / "journal.jsonl")
    assert [(e["module"], e["args"]["delay"]) for e in entries] == [("reboot", 600), ("reboot", 0)]


def test_restart_applies_what_the_update_left_for_the_boot() -> None:
    state = _live("win11-23h2")
    _updates(state, category_names=["SecurityUpdates"])
    assert (state.section("os") or {})["ubr"] == 7671
    assert power.answer(state, "C:\\Windows\\System32\\shutdown.exe /r /t 0 /c 'x'") is not None
    power.settle(state)
    facts = _facts(state)
    assert facts["os"]["ubr"] == 7790
    assert facts["updates"]["reboot_pending"] is False
    assert 0 <= facts["uptime_seconds"] < 60  # local_time now follows the host's clock
    probe = _script(state, "windows_updates: probe")
    assert probe["result"]["reboot_pending"] is False and probe["result"]["uptime_seconds"] < 60


def test_host_clock_never_runs_behind_the_recording() -> None:
    state = _live("win11-23h2")
    probe = _script(state, "windows_updates: probe")
    assert probe["changed"] is False
    assert probe["result"]["uptime_seconds"] >= _facts(state)["uptime_seconds"]  # 35.07 days
    assert probe["result"]["reboot_indicators"]["pending_file_rename"] is True
    assert probe["result"]["service"] == {
        "name": "wuauserv",
        "start_mode": "manual",
        "state": "running",
    }


# ------------------------------------------------------------------ Defender


def _switched_off(state: HostState) -> None:
    key = r"software\policies\microsoft\windows defender\real-time protection"
    state.registry[(key, "disablerealtimemonitoring")] = ("dword", 1)
    defender = state.section("defender") or {}
    defender.update(realtime_enabled=False, tamper_protected=False)
    state.update("defender", defender)
    av = state.section("antivirus") or {}
    av["products"][0]["product_state"] = 393472  # Defender, real-time off, up to date
    state.update("antivirus", av)
    state.sim["mp_preferences"] = {"DisableRealtimeMonitoring": True}


def test_defender_realtime_needs_the_policy_gone_and_the_preference_off() -> None:
    state = _live("win10-22h2")
    _switched_off(state)
    assert _facts(state)["antivirus"]["realtime_protection"] is False
    probe = _script(state, "windows_defender: probe", ThirdPartyServices=["SAVService"])
    assert probe["result"]["policy"] == {
        "disable_antispyware": None,
        "disable_realtime_monitoring": 1,
    }
    assert probe["result"]["third_party"] == [] and probe["result"]["third_party_services"] == []
    # The preference alone is not enough while the policy says off: the script fails.
    failed = _script(state, "windows_defender: realtime")
    assert failed["failed"] is True and failed["changed"] is True
    assert "still off" in failed["error"][0]["exception"]["message"]
    path = r"HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection"
    removed = _call(
        state, "win_regedit", path=path, name="DisableRealtimeMonitoring", state="absent"
    )
    assert (removed["changed"], removed["data_changed"]) == (True, False)
    assert (
        _call(state, "win_regedit", path=path, name="DisableRealtimeMonitoring", state="absent")[
            "changed"
        ]
        is False
    )
    assert _script(state, "windows_defender: realtime")["changed"] is False  # already on
    facts = _facts(state)
    assert facts["antivirus"]["realtime_protection"] is True
    assert (state.section("antivirus") or {})["products"][0]["product_state"] == 397568


def test_defender_preference_check_mode_changes_nothing() -> None:
    state = _live("win10-22h2")
    _switched_off(state)
    state.registry.clear()  # only the preference is off
    checked = _script(state, "windows_defender: realtime", check=True)
    assert checked["changed"] is True and not checked["failed"]
    assert _facts(state)["antivirus"]["realtime_protection"] is False
    assert _script(state, "windows_defender: realtime")["changed"] is True
    assert _facts(state)["antivirus"]["realtime_protection"] is True


def test_defender_signatures_update_only_when_too_old() -> None:
    state = _live("win11-23h2")
    assert _facts(state)["antivirus"]["signatures_up_to_date"] is False
    assert _script(state, "windows_defender: signatures", check=True, MaxAgeDays=7)["changed"]
    assert _facts(state)["antivirus"]["signatures_up_to_date"] is False
    update = _script(state, "windows_defender: signatures", MaxAgeDays=7)
    assert update["changed"] is True
    assert (update["result"]["before"]["age_days"], update["result"]["after"]["age_days"]) == (
        21,
        0,
    )
    assert _facts(state)["antivirus"]["signatures_up_to_date"] is True
    assert _script(state, "windows_defender: signatures", MaxAgeDays=7)["changed"] is False


def test_defender_service_is_started_never_reconfigured() -> None:
    state = _live("server2022")
    services = state.section("services") or {}
    for item in services["items"]:
        if item["name"] == "WinDefend":
            item["state"] = "Stopped"
    state.update("services", services)
    assert _script(state, "windows_defender: service")["changed"] is True
    assert _script(state, "windows_defender: service")["changed"] is False
    for item in services["items"]:
        if item["name"] == "WinDefend":
            item.update(state="Stopped", start_mode="Disabled")
    state.update("services", services)
    failed = _script(state, "windows_defender: service")
    assert failed["failed"] is True and "protected" in failed["error"][0]["exception"]["message"]


def test_script_without_should_process_is_skipped_in_check_mode() -> None:
    state = _live("win11-23h2")
    text = "# verify-role windows_defender: signatures\nUpdate-MpSignature\n"
    body = _call(state, "win_powershell", check=True, script=text)
    assert (body["changed"], body["msg"]) == (True, "skipped, running in check mode")
    assert _facts(state)["antivirus"]["signatures_up_to_date"] is False


# ------------------------------------------------------------------ win_security_policy


def _policy(state: HostState, key: str, value: Any, check: bool = False) -> dict[str, Any]:
    return _call(
        state, "win_security_policy", check=check, section="System Access", key=key, value=value
    )


def test_security_policy_changes_net_accounts() -> None:
    state = _live("win10-22h2")
    checked = _policy(state, "MinimumPasswordLength", 12, check=True)
    assert checked == {
        "changed": True,
        "section": "System Access",
        "key": "MinimumPasswordLength",
        "value": 12,
    }
    assert _facts(state)["password_policy"]["min_length"] == 0
    done = _policy(state, "MinimumPasswordLength", "12")
    assert done["changed"] is True and "import_log" in done and "invocation" not in done
    assert _policy(state, "MinimumPasswordLength", 12)["changed"] is False
    line = next(
        ln
        for ln in (state.section("password_policy") or {})["net_accounts"]
        if ln.startswith("Minimum password length")
    )
    assert re.fullmatch(r"Minimum password length:\s+12", line) and len(line) == 56
    assert _facts(state)["password_policy"]["min_length"] == 12


def test_security_policy_refuses_what_the_account_database_refuses() -> None:
    state = _live("win10-22h2")
    # No threshold: secedit does not export the duration, the module calls the key invalid.
    early = _policy(state, "LockoutDuration", 15)
    assert early["failed"] is True and "is not a valid key" in early["msg"]
    assert _policy(state, "LockoutBadCount", 10)["changed"] is True
    # The window (30) may not be longer than the duration: 15 does not stick.
    short = _policy(state, "LockoutDuration", 15)
    assert short["failed"] is True
    assert short["msg"] == (
        "Failed to change the value for key 'LockoutDuration' in section "
        "'System Access', the value is still 30"
    )
    assert _policy(state, "ResetLockoutCount", 15)["changed"] is True
    assert _policy(state, "LockoutDuration", 15)["changed"] is True
    too_long = _policy(state, "MinimumPasswordLength", 15)
    assert too_long["failed"] is True and "still 0" in too_long["msg"]
    assert _facts(state)["password_policy"] == {
        "min_age_days": 0,
        "max_age_days": 42,
        "min_length": 0,
        "history": 0,
        "lockout_threshold": 10,
        "lockout_duration_minutes": 15,
        "lockout_window_minutes": 15,
    }


def test_password_probe_reads_domain_membership() -> None:
    member = _script(_live("win11-23h2"), "password_policy: probe")["result"]
    assert (member["part_of_domain"], member["domain"], member["min_length"]) == (
        True,
        "northwind.local",
        12,
    )
    local = _script(_live("win10-22h2"), "password_policy: probe")["result"]
    assert (
        local["part_of_domain"],
        local["lockout_threshold"],
        local["lockout_window_minutes"],
    ) == (False, 0, 30)


# ------------------------------------------------------------------ the roles' scripts


def test_every_role_script_is_simulated_and_every_simulation_has_its_script() -> None:
    """The lab recognises the roles' win_powershell scripts by their first line: a script the
    lab does not know would fail in the lab, a simulation without its script is dead code."""
    marker = re.compile(r"^# verify-role (?P<role>[a-z_]+): (?P<name>[a-z_]+)$")
    found = set()
    roles = {role for role, _ in ROLE_SCRIPTS}
    assert roles == {"windows_updates", "windows_defender", "password_policy"}
    for path in sorted((REPO / "roles").glob("*/files/*.ps1")):
        if path.parent.parent.name not in roles and "# verify-role" not in path.read_text():
            continue  # another role's script, not run through the lab's win_powershell
        first = path.read_text(encoding="utf-8").splitlines()[0]
        m = marker.match(first)
        assert m, f"{path}: first line must be '# verify-role ROLE: NAME'"
        assert (m["role"], m["name"]) == (path.parent.parent.name, path.stem), path
        assert "[CmdletBinding(SupportsShouldProcess)]" in path.read_text(encoding="utf-8")
        found.add((m["role"], m["name"]))
    assert found == set(ROLE_SCRIPTS)
