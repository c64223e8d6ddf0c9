"""What Ansible's Windows modules return on a profile's host: ``win_ping`` and ``setup``.

The JSON mirrors the real modules of the pinned collection (ansible.windows:
``plugins/modules/win_ping.ps1`` and ``setup.ps1``; ``Ansible.Basic`` adds ``changed`` and
``invocation``). Facts come from ``profile.yml``; given the endpoint's changeable
:class:`HostState`, the boot time, pending restart and clock come from it (a restart the lab
simulated shows in ``ansible_lastboot``/``ansible_uptime_seconds``), else the clock is the
caller's. Below PowerShell 5.1 Ansible's bootstrap wrapper answers before any module runs, with
exactly the JSON and exit code of ``bootstrap_wrapper.ps1``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from lab.winrm.commands import ModuleCall
from lab.winrm.handlers import CommandResult
from lab.winrm.hostprofile import WindowsProfile
from lab.winrm.hoststate import HostState
from lab.winrm.timeshift import shift_text

# bootstrap_wrapper.ps1: `'{"failed":true,"msg":"Ansible requires PowerShell v5.1"}'; exit 1`
OLD_POWERSHELL = CommandResult(
    stdout=b'{"failed":true,"msg":"Ansible requires PowerShell v5.1"}\r\n', exit_code=1
)
SETUP_DEFAULTS: dict[str, Any] = {
    "_measure_subset": False,
    "fact_path": None,
    "gather_subset": ["all"],
    "gather_timeout": 10,
}
_DOMAIN_ROLES = {
    0: "Stand-alone workstation",
    1: "Member workstation",
    2: "Stand-alone server",
    3: "Member server",
    4: "Backup domain controller",
    5: "Primary domain controller",
}
_PRODUCT_TYPES = {1: "workstation", 2: "domain_controller", 3: "server"}


def _json_line(obj: dict[str, Any]) -> bytes:
    # Ansible.Basic writes one compact JSON document (ConvertTo-Json -Compress) and a newline.
    return (json.dumps(obj, separators=(",", ":")) + "\r\n").encode("utf-8")


def _result(module_args: dict[str, Any], **values: Any) -> CommandResult:
    body: dict[str, Any] = {"changed": False, "invocation": {"module_args": module_args}}
    body.update(values)
    return CommandResult(stdout=_json_line(body))


def _utc(text: str, days: int) -> dt.datetime:
    return dt.datetime.strptime(shift_text(str(text), days), "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=dt.UTC
    )


def _collected(profile: WindowsProfile, section: str) -> dict[str, Any]:
    """One section's data from the recorded collection (empty if it errored or is absent)."""
    for line in profile.collect_lines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("section") == section:
            data = obj.get("data")
            return data if isinstance(data, dict) else {}
    return {}


def _machine_sid(profile: WindowsProfile) -> str | None:
    for user in _collected(profile, "accounts").get("users") or []:
        sid = str(user.get("sid") or "")
        if sid.endswith("-500"):
            return sid.removesuffix("-500")
    return None


def _date_time(now: dt.datetime) -> dict[str, Any]:
    utc = now.astimezone(dt.UTC)
    offset = now.strftime("%z")
    return {
        "date": f"{now:%Y-%m-%d}",
        "day": f"{now:%d}",
        "epoch": f"{utc.timestamp():.5f}",
        "epoch_int": int(utc.timestamp()),
        "epoch_local": f"{now.replace(tzinfo=dt.UTC).timestamp():.5f}",
        "hour": f"{now:%H}",
        "iso8601": f"{utc:%Y-%m-%dT%H:%M:%SZ}",
        "iso8601_basic": f"{now:%Y%m%dT%H%M%S%f}",
        "iso8601_basic_short": f"{now:%Y%m%dT%H%M%S}",
        "iso8601_micro": f"{utc:%Y-%m-%dT%H:%M:%S.%fZ}",
        "minute": f"{now:%M}",
        "month": f"{now:%m}",
        "second": f"{now:%S}",
        "time": f"{now:%H:%M:%S}",
        "tz_offset": f"{offset[:3]}:{offset[3:]}",
        "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[
            now.weekday()
        ],
        "weekday_number": str(now.isoweekday() % 7),
        "weeknumber": f"{now:%W}",
        "year": f"{now:%Y}",
    }


def setup_facts(
    profile: WindowsProfile,
    hostname: str,
    username: str,
    now: dt.datetime,
    days: int = 0,
    state: HostState | None = None,
) -> dict[str, Any]:
    """``ansible_facts`` of ansible.windows.setup (gather_subset=all) on this host."""
    os_, hw, dom, net = profile.os, profile.hardware, profile.domain, profile.network
    local = now.astimezone(dt.timezone(dt.timedelta(minutes=int(net["utc_offset_minutes"]))))
    member = bool(dom["member"])
    fqdn = f"{hostname}.{dom['name']}" if member else hostname
    user = username.split("\\")[-1].split("@")[0] or "Administrator"
    boot = _utc(os_["last_boot"], days)
    live_os = None if state is None else state.section("os")
    if live_os is not None and live_os.get("last_boot"):
        boot = _utc(live_os["last_boot"], 0)
    mem_mb = math.ceil(int(hw["memory_bytes"]) / 1024 / 1024)
    cores, threads = int(hw["cores"]), int(hw["threads"])
    version = f"{os_['version']}.0"  # [Environment]::OSVersion.Version: revision 0 on 10.0+
    ipv4 = str(net["ipv4"])
    reboot = _collected(profile, "reboot") if state is None else (state.section("reboot") or {})
    date_time = _date_time(local)
    date_time["tz"] = str(net["timezone"])
    facts: dict[str, Any] = {
        "gather_subset": ["all"],
        "module_setup": True,
        "ansible_architecture": os_["architecture"],
        "ansible_architecture2": "x86_64" if os_["architecture"] == "64-bit" else "i386",
        "ansible_bios_date": dt.date.fromisoformat(str(hw["bios_date"])).strftime("%m/%d/%Y"),
        "ansible_bios_version": hw["bios_version"],
        "ansible_date_time": date_time,
        "ansible_distribution": os_["caption"],
        "ansible_distribution_major_version": version.split(".")[0],
        "ansible_distribution_version": version,
        "ansible_domain": dom["name"] if member else "",
        "ansible_env": {
            "COMPUTERNAME": hostname,
            "OS": "Windows_NT",
            "PROCESSOR_ARCHITECTURE": "AMD64" if os_["architecture"] == "64-bit" else "x86",
            "SystemDrive": "C:",
            "SystemRoot": "C:\\Windows",
            "TEMP": f"C:\\Users\\{user}\\AppData\\Local\\Temp",
            "USERDOMAIN": dom["name"].split(".")[0].upper() if member else hostname,
            "USERNAME": user,
            "USERPROFILE": f"C:\\Users\\{user}",
            "windir": "C:\\Windows",
        },
        "ansible_fqdn": fqdn,
        "ansible_hostname": hostname,
        "ansible_interfaces": [
            {
                "connection_name": "Ethernet",
                "default_gateway": ipv4.rsplit(".", 1)[0] + ".1",
                "dns_domain": dom["name"] if member else None,
                "interface_index": 6,
                "interface_name": "Intel(R) Ethernet Connection",
                "ipv4": {"address": ipv4, "prefix": "24"},
                "ipv6": [],
                "macaddress": "00:1A:2B:3C:4D:5E",
                "mtu": 1500,
                "speed": 1000,
            }
        ],
        "ansible_ip_addresses": [ipv4],
        "ansible_kernel": version,
        "ansible_lastboot": boot.astimezone(local.tzinfo).strftime("%Y-%m-%d %H:%M:%SZ"),
        "ansible_machine_id": _machine_sid(profile),
        "ansible_memfree_mb": mem_mb * 2 // 5,
        "ansible_memtotal_mb": mem_mb,
        "ansible_netbios_name": hostname,
        "ansible_nodename": fqdn,
        "ansible_os_family": "Windows",
        "ansible_os_install_date": shift_text(str(os_["install_date"]), days),
        "ansible_os_installation_type": os_["installation_type"],
        "ansible_os_name": str(os_["caption"]).strip(),
        "ansible_os_product_type": _PRODUCT_TYPES.get(int(os_["product_type"]), "unknown"),
        "ansible_owner_contact": "",
        "ansible_owner_name": "Windows User",
        "ansible_pagefilefree_mb": mem_mb // 8,
        "ansible_pagefiletotal_mb": mem_mb // 4,
        "ansible_powershell_version": int(profile.powershell_version.split(".")[0]),
        "ansible_processor": [
            x for i in range(threads) for x in (str(i), "GenuineIntel", hw["processor"])
        ],
        "ansible_processor_cores": cores,
        "ansible_processor_count": 1,
        "ansible_processor_threads_per_core": threads / cores
        if threads % cores
        else threads // cores,
        "ansible_processor_vcpus": threads,
        "ansible_product_name": hw["model"],
        "ansible_product_serial": hw["serial"],
        "ansible_product_uuid": hw["uuid"],
        "ansible_reboot_pending": bool(
            reboot.get("pending_file_rename") or reboot.get("cbs_reboot_pending")
        ),
        "ansible_swaptotal_mb": 0,
        "ansible_system": "Win32NT",
        "ansible_system_description": "",
        "ansible_system_vendor": hw["manufacturer"],
        "ansible_uptime_seconds": max(0, round((now - boot).total_seconds())),
        "ansible_user_dir": f"C:\\Users\\{user}",
        "ansible_user_gecos": "",
        "ansible_user_id": user,
        "ansible_user_sid": f"{_machine_sid(profile) or 'S-1-5-21-0-0-0'}-1105",
        "ansible_virtualization_role": "NA",
        "ansible_virtualization_type": "NA",
        "ansible_windows_domain": dom["name"],
        "ansible_windows_domain_member": member,
        "ansible_windows_domain_role": _DOMAIN_ROLES.get(int(dom["role"]), "Unknown"),
    }
    return facts


def answer(
    profile: WindowsProfile,
    call: ModuleCall,
    hostname: str,
    username: str,
    now: dt.datetime | None = None,
    days: int = 0,
    state: HostState | None = None,
) -> CommandResult:
    """The exec wrapper's output for ``call`` on this host."""
    if not profile.modern_powershell:
        return OLD_POWERSHELL
    if call.name == "win_ping":
        args = {"data": "pong", **call.params}
        return _result(args, ping=args["data"])
    if call.name == "setup":
        args = {**SETUP_DEFAULTS, **call.params}
        if isinstance(args["gather_subset"], str):  # Ansible.Basic turns a str into a list
            args["gather_subset"] = [args["gather_subset"]]
        now = now or (state.now() if state is not None else dt.datetime.now(dt.UTC))
        facts = setup_facts(profile, hostname, username, now, days, state)
        facts["gather_subset"] = args["gather_subset"]
        return _result(args, ansible_facts=facts)
    body = {
        "failed": True,
        "msg": f"lab WinRM endpoint: module {call.name} is not simulated by profile "
        f"{profile.name} (win_ping, setup and lab/winrm/remediation.py's modules are)",
    }
    return CommandResult(stdout=_json_line(body), exit_code=1)
