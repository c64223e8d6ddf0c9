"""The Windows normalizer over hand-written section records; recorded per-profile outputs are
in test_windows_recorded.py."""

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest

from verifier.facts.windows import (
    SECTIONS,
    UnreadableOutput,
    normalize,
    parse_net_accounts,
    parse_sections,
)

TODAY = datetime.date(2026, 11, 23)
SCRIPT = Path(__file__).parents[2] / "playbooks" / "files" / "verify_windows_facts.ps1"
BEGIN = {"section": "begin", "data": {"script": "verify-windows-facts", "version": 1}}


def output(sections: dict[str, Any], errors: dict[str, str] | None = None, end: bool = True) -> str:
    lines = [json.dumps(BEGIN)]
    lines += [json.dumps({"section": k, "data": v}) for k, v in sections.items()]
    lines += [json.dumps({"section": k, "error": v}) for k, v in (errors or {}).items()]
    if end:
        lines.append(json.dumps({"section": "end"}))
    return "\r\n".join(lines) + "\r\n"


OS_WIN11 = {
    "caption": "Microsoft Windows 11 Enterprise",
    "version": "10.0.26200",
    "build_number": "26200",
    "product_type": 1,
    "edition_id": "Enterprise",
    "display_version": "25H2",
    "ubr": 7171,
    "last_boot": "2026-11-20T07:00:00Z",
    "local_time": "2026-11-23T07:00:00Z",
    "system_drive": "C:",
    "powershell_version": "5.1.26100.7171",
}


def test_sections_match_the_script() -> None:
    in_script = re.findall(r"^Write-Section '([a-z_]+)'", SCRIPT.read_text(), re.M)
    assert tuple(in_script) == SECTIONS


def test_os_eol_and_uptime() -> None:
    facts, errors = normalize(output({"os": OS_WIN11}), TODAY)
    assert facts["os"]["name"] == "Windows 11 Enterprise"
    assert (
        facts["os"]["eol"]["status"] == "supported" and facts["os"]["eol"]["date"] == "2028-10-10"
    )
    assert facts["os"]["product_type"] == "workstation" and facts["os"]["release"] == "25H2"
    assert facts["uptime_seconds"] == 3 * 86400
    # Every section the script did not report is named, so its checks read as unknown.
    assert errors == {}


def test_a_failed_section_is_a_probe_error_and_its_facts_are_absent() -> None:
    facts, errors = normalize(output({"os": OS_WIN11}, {"bitlocker": "Invalid namespace "}), TODAY)
    assert errors == {"bitlocker": "Invalid namespace"}
    assert "disks" not in facts


def test_output_cut_half_way_keeps_what_came() -> None:
    facts, errors = normalize(output({"os": OS_WIN11}, end=False), TODAY)
    assert facts["os"]["build"] == 26200
    assert "stopped before the end" in errors["incomplete"] and "software" in errors["incomplete"]


@pytest.mark.parametrize(
    "stdout",
    ["", "garbage\r\n", '{"section": "os"}\r\n', json.dumps(BEGIN) + "\r\n{not json\r\n", "[1]"],
)
def test_foreign_output_is_unreadable(stdout: str) -> None:
    with pytest.raises(UnreadableOutput):
        parse_sections(stdout)


NET_ACCOUNTS = [
    "Force user logoff how long after time expires?:       Never",
    "Minimum password age (days):                          1",
    "Maximum password age (days):                          Unlimited",
    "Minimum password length:                              12",
    "Length of password history maintained:                24",
    "Lockout threshold:                                    5",
    "Lockout duration (minutes):                           15",
    "Lockout observation window (minutes):                 15",
    "Computer role:                                        WORKSTATION",
    "The command completed successfully.",
]


def test_net_accounts() -> None:
    assert parse_net_accounts(NET_ACCOUNTS) == {
        "min_age_days": 1,
        "max_age_days": 0,
        "min_length": 12,
        "history": 24,
        "lockout_threshold": 5,
        "lockout_duration_minutes": 15,
        "lockout_window_minutes": 15,
    }
    assert parse_net_accounts(["Lockout threshold:  Never"]) == {"lockout_threshold": 0}


def test_non_english_net_accounts_is_a_probe_error_not_zeroes() -> None:
    german = ["Minimale Kennwortlänge:    0", "Sperrschwelle:      Nie"]
    facts, errors = normalize(output({"password_policy": {"net_accounts": german}}), TODAY)
    assert "password_policy" not in facts and "non-English" in errors["normalize_password_policy"]


def test_licence_keeps_only_five_characters_and_reads_the_channel() -> None:
    lic = {
        "source": "SoftwareLicensingProduct",
        "products": [
            {
                "name": "Windows(R), Professional edition",
                "description": "Windows(R) Operating System, RETAIL channel",
                "license_status": 1,
                "partial_product_key": "ABCDE-3V66T",
            },
        ],
    }
    facts, _ = normalize(output({"license": lic}), TODAY)
    assert facts["license"] == {
        "status": "licensed",
        "activated": True,
        "partial_product_key": "3V66T",
        "channel": "retail",
        "product": "Windows(R), Professional edition",
    }


def test_xp_activation() -> None:
    lic = {
        "source": "Win32_WindowsProductActivation",
        "activation_required": 0,
        "remaining_grace_period": 0,
        "partial_product_key": "QXF8J",
    }
    facts, _ = normalize(output({"license": lic}), TODAY)
    assert facts["license"] == {
        "activated": True,
        "status": "licensed",
        "partial_product_key": "QXF8J",
    }


def test_security_center_product_state() -> None:
    av = {
        "source": "SecurityCenter2",
        "products": [
            {"name": "Windows Defender", "product_state": 397568},  # 0x061100: on, current
            {"name": "Sophos Anti-Virus", "product_state": 266256},  # 0x041010: on, out of date
        ],
    }
    services = {"items": [{"name": "SAVService", "state": "Running", "start_mode": "Auto"}]}
    facts, _ = normalize(output({"antivirus": av, "services": services}), TODAY)
    assert facts["antivirus"]["realtime_protection"] is True
    assert facts["antivirus"]["signatures_up_to_date"] is False
    assert facts["security_agents"] == {
        "installed": ["defender", "sophos"],
        "running": ["defender", "sophos"],
    }


def test_server_defender_status() -> None:
    mp = {
        "am_service_enabled": True,
        "antivirus_enabled": True,
        "realtime_enabled": True,
        "signature_age_days": 9,
    }
    facts, _ = normalize(output({"defender": mp}), TODAY)
    assert facts["antivirus"]["signature_age_days"] == 9
    assert facts["antivirus"]["signatures_up_to_date"] is False  # Defender's own 7-day limit
    assert facts["security_agents"]["running"] == ["defender"]


def test_firewall_policy_wins_and_a_stopped_service_means_inactive() -> None:
    fw = {
        "profiles": {
            "DomainProfile": {"local": 1, "policy": None},
            "StandardProfile": {"local": 1, "policy": 0},
            "PublicProfile": {"local": 1, "policy": None},
        }
    }
    running = {"items": [{"name": "MpsSvc", "state": "Running", "start_mode": "Auto"}]}
    facts, _ = normalize(output({"firewall": fw, "services": running}), TODAY)
    assert facts["firewall"]["profiles"] == {"domain": True, "private": False, "public": True}
    assert facts["firewall"]["active"] is False and facts["firewall"]["disabled_profiles"] == [
        "private"
    ]
    stopped = {"items": [{"name": "MpsSvc", "state": "Stopped", "start_mode": "Disabled"}]}
    fw_on = {"profiles": {k: {"local": 1, "policy": None} for k in fw["profiles"]}}
    facts, _ = normalize(output({"firewall": fw_on, "services": stopped}), TODAY)
    assert facts["firewall"]["active"] is False and facts["firewall"]["service_running"] is False


def test_accounts() -> None:
    accounts = {
        "computer": "PC1",
        "administrators": ["WinNT://WORKGROUP/PC1/Administrator", "WinNT://CONTOSO/Domain Admins"],
        "users": [
            {
                "name": "Administrator",
                "sid": "S-1-5-21-1-2-3-500",
                "disabled": True,
                "password_required": True,
            },
            {
                "name": "Guest",
                "sid": "S-1-5-21-1-2-3-501",
                "disabled": False,
                "password_required": False,
            },
            {
                "name": "kiosk",
                "sid": "S-1-5-21-1-2-3-1001",
                "disabled": False,
                "password_required": False,
            },
        ],
    }
    facts, _ = normalize(output({"accounts": accounts}), TODAY)
    assert facts["accounts"] == {
        "admins": ["CONTOSO\\Domain Admins", "PC1\\Administrator"],
        "local_users": ["Guest", "kiosk"],
        "builtin_admin_enabled": False,
        "guest_enabled": True,
        "no_password_required": ["Guest", "kiosk"],
    }


def test_smb1_defaults_by_version() -> None:
    old = {"server_smb1_config": None, "server_smb1_registry": None, "client_mrxsmb10_start": 2}
    facts, _ = normalize(output({"os": {**OS_WIN11, "build_number": "7601"}, "smb": old}), TODAY)
    assert facts["smb"] == {"v1_server_enabled": True, "v1_client_enabled": True}
    new = {"server_smb1_config": False, "server_smb1_registry": None, "client_mrxsmb10_start": None}
    facts, _ = normalize(output({"os": OS_WIN11, "smb": new}), TODAY)
    assert facts["smb"] == {"v1_server_enabled": False, "v1_client_enabled": False}


def test_bitlocker_system_volume() -> None:
    bl = {
        "volumes": [
            {
                "drive": "C:",
                "protection_status": 1,
                "conversion_status": 1,
                "encryption_percentage": 100,
            },
            {
                "drive": "D:",
                "protection_status": 0,
                "conversion_status": 0,
                "encryption_percentage": 0,
            },
        ]
    }
    facts, _ = normalize(output({"os": OS_WIN11, "bitlocker": bl}), TODAY)
    enc = facts["disks"]["encryption"]
    assert enc["system_encrypted"] is True and enc["unprotected"] == ["D:"]


def test_last_update_from_hotfixes_and_history() -> None:
    hotfixes = {
        "items": [
            {"id": "KB5001", "installed_on": "3/15/2026", "description": "Update"},
            {"id": "KB5002", "installed_on": "01d6a0b2c3d4e5f6", "description": "Security Update"},
            {
                "id": "KB5003",
                "installed_on": "15.03.2026",
                "description": "Update",
            },  # localized: skipped
        ]
    }
    history = {
        "total": 2,
        "items": [
            {
                "date": "2026-11-12T03:00:00Z",
                "title": "2026-11 Cumulative Update (KB5070000)",
                "operation": 1,
                "result_code": 2,
            },
            {
                "date": "2026-11-19T03:00:00Z",
                "title": "failed one",
                "operation": 1,
                "result_code": 4,
            },
        ],
    }
    facts, _ = normalize(output({"hotfixes": hotfixes, "update_history": history}), TODAY)
    assert facts["updates"]["last_update"] == "2026-11-12T03:00:00Z"
    assert facts["updates"]["hotfix_count"] == 3


def test_backup_agent_from_software_and_services() -> None:
    software = {
        "items": [
            {
                "name": "Veeam Agent for Microsoft Windows",
                "version": "6.3.0.177",
                "publisher": "Veeam Software Group GmbH",
            }
        ]
    }
    services = {
        "items": [{"name": "VeeamEndpointBackupSvc", "state": "Running", "start_mode": "Auto"}]
    }
    facts, _ = normalize(output({"software": software, "services": services}), TODAY)
    assert facts["backup"] == {"agents": ["veeam"], "running": ["veeam"]}
    assert facts["software"]["installed"][0]["publisher"] == "Veeam Software Group GmbH"


def test_antivirus_definition_updates_are_not_windows_updates() -> None:
    history = {
        "total": 2,
        "items": [
            {
                "date": "2026-11-22T03:00:00Z",
                "title": "Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.421.1.0)",
                "operation": 1,
                "result_code": 2,
            },
            {
                "date": "2026-10-15T03:00:00Z",
                "title": "2026-10 Cumulative Update for Windows 11 (KB5066000)",
                "operation": 1,
                "result_code": 2,
            },
        ],
    }
    facts, _ = normalize(output({"hotfixes": {"items": []}, "update_history": history}), TODAY)
    assert facts["updates"]["last_update"] == "2026-10-15T03:00:00Z"
