"""The remediation modules verify's Windows roles use, as they behave on a profile's host.

Each simulation answers with the JSON of the real module in the pinned collections
(``ansible.windows`` ``win_regedit``, ``win_firewall``, ``win_user``, ``win_powershell``,
``win_service``, ``win_updates``; ``community.windows`` ``win_security_policy``;
``Ansible.Basic`` adds ``changed`` and ``invocation``), honours check mode (``changed`` is
reported, nothing is changed) and changes the endpoint's :class:`HostState`, so the next run of
verify's collection script reports the new state and a second identical call reports
``changed: false``. What a call would change that the collection does not show (a registry
value verify does not read) is remembered too, so idempotence holds for it as well.

What the lab mirrors of Windows itself:

- ``win_regedit`` writes (``state: present``) or deletes (``absent``, a value) registry values:
  the ones the collection script reads (SMB1, mrxsmb10 Start, fDenyTSConnections,
  UserAuthentication, SecurityLayer, EnableLUA and the other UAC values, the firewall profiles'
  local and policy EnableFirewall) change what it reports; Defender's policy values change
  Defender (:mod:`lab.winrm.defender`). Writing ``SMB1`` does not change the running SMB server
  (``Get-SmbServerConfiguration`` keeps reporting SMB1 on until a restart);
- ``win_powershell`` runs only scripts the lab knows: the SMB1 script of ``smb_hardening``
  (``Set-SmbServerConfiguration -EnableSMB1Protocol $false``: the running server and the SMB1
  registry value both turn SMB1 off, where the cmdlet exists, Windows 8 / Server 2012 and
  later), and the scripts of the ``windows_updates``, ``windows_defender`` and
  ``password_policy`` roles, recognised by their first line ``# verify-role ROLE: NAME``
  (:data:`ROLE_SCRIPTS`). Check mode runs a script only when it declares
  ``SupportsShouldProcess`` (else ``changed`` and "skipped, running in check mode"), with
  ``-WhatIf``; ``$Ansible.Changed`` defaults to true; a terminating error fails the task with
  the error record in ``error``;
- ``win_firewall`` sets each profile's local setting (``Set-NetFirewallProfile``, the persistent
  store); a Group Policy value, when there is one, still wins, as on Windows;
- ``win_user`` queries, enables and disables existing local accounts;
- ``win_service`` (:mod:`lab.winrm.winservice`), ``win_updates`` (:mod:`lab.winrm.winupdate`),
  ``win_security_policy`` (:mod:`lab.winrm.secpol`); restarts are :mod:`lab.winrm.power`.

Anything else (another module, an option these do not simulate) fails loudly instead of
pretending.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from lab.winrm import defender, secpol, winupdate
from lab.winrm.commands import ModuleCall
from lab.winrm.handlers import CommandResult
from lab.winrm.hoststate import HostState
from lab.winrm.sim import (
    ModuleFailure,
    Script,
    ScriptError,
    Unsupported,
    build,
    check_mode,
    diff_wanted,
    fail_result,
    json_line,
    unknown_options,
)
from lab.winrm.winservice import win_service

_HKLM = ("hklm:\\", "hklm:", "hkey_local_machine\\", "hklm\\")
_TS = r"system\currentcontrolset\control\terminal server"
_FW_LOCAL = r"system\currentcontrolset\services\sharedaccess\parameters\firewallpolicy"
_FW_POLICY = r"software\policies\microsoft\windowsfirewall"
_UAC = r"software\microsoft\windows\currentversion\policies\system"
# (key, value name), lower case, without the hive -> (section, path of keys inside its data)
REGISTRY: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    (r"system\currentcontrolset\services\lanmanserver\parameters", "smb1"): (
        "smb",
        ("server_smb1_registry",),
    ),
    (r"system\currentcontrolset\services\mrxsmb10", "start"): (
        "smb",
        ("client_mrxsmb10_start",),
    ),
    (_TS, "fdenytsconnections"): ("rdp", ("deny_ts_connections",)),
    (_TS + r"\winstations\rdp-tcp", "userauthentication"): ("rdp", ("user_authentication",)),
    (_TS + r"\winstations\rdp-tcp", "securitylayer"): ("rdp", ("security_layer",)),
    (_UAC, "enablelua"): ("uac", ("enable_lua",)),
    (_UAC, "consentpromptbehavioradmin"): ("uac", ("consent_prompt_behavior_admin",)),
    (_UAC, "promptonsecuredesktop"): ("uac", ("prompt_on_secure_desktop",)),
}
for _profile in ("DomainProfile", "StandardProfile", "PublicProfile"):
    REGISTRY[(f"{_FW_LOCAL}\\{_profile.lower()}", "enablefirewall")] = (
        "firewall",
        ("profiles", _profile, "local"),
    )
    REGISTRY[(f"{_FW_POLICY}\\{_profile.lower()}", "enablefirewall")] = (
        "firewall",
        ("profiles", _profile, "policy"),
    )
FIREWALL_PROFILES = {
    "Domain": "DomainProfile",
    "Private": "StandardProfile",
    "Public": "PublicProfile",
}
# GpoBoolean, as Get-NetFirewallProfile's Enabled serialises.
_GPO_FALSE, _GPO_TRUE, _GPO_NOT_CONFIGURED = 0, 1, 2
SMB1_SCRIPT_MARKER = "Set-SmbServerConfiguration -EnableSMB1Protocol $false"
_REG_TYPES = ("none", "binary", "dword", "expandstring", "multistring", "string", "qword")
# Windows 8 / Server 2012: NetSecurity and SmbShare cmdlets.
_NETSECURITY_BUILD = 9200


# win_powershell.ps1 decides whether a script runs in check mode with this regex.
SHOULD_PROCESS = re.compile(
    r"\[CmdletBinding\((?:[\w=\$]+,\s*)?SupportsShouldProcess(?:=\$true)?(?:,\s*[\w=\$]+)?\)\]",
    re.I,
)
ROLE_SCRIPT = re.compile(r"^\s*# verify-role (?P<role>[a-z_]+): (?P<name>[a-z_]+)\s*$", re.M)


# ------------------------------------------------------------------------------ win_regedit
def _key(path: str) -> str:
    low = path.strip().lower().replace("/", "\\").rstrip("\\")
    for prefix in _HKLM:
        if low.startswith(prefix):
            return low[len(prefix) :].lstrip("\\")
    raise Unsupported(f"lab WinRM endpoint: win_regedit only simulates HKLM, not {path!r}")


def _convert(data: Any, reg_type: str) -> Any:
    if reg_type in ("dword", "qword"):
        if isinstance(data, bool):
            return int(data)
        if isinstance(data, int):
            return data
        text = str(data).strip()
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    if reg_type in ("string", "expandstring"):
        return "" if data is None else str(data)
    raise Unsupported(f"lab WinRM endpoint: win_regedit type {reg_type} is not simulated")


def _diff_value(reg_type: str, value: Any) -> dict[str, Any]:
    names = {"dword": "DWord", "qword": "QWord", "string": "String", "expandstring": "ExpandString"}
    shown: Any = value
    if reg_type == "dword":
        shown = f"0x{value:08x}"
    elif reg_type == "qword":
        shown = f"0x{value:016x}"
    return {"type": names.get(reg_type, reg_type), "value": shown}


def _dig(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    node: Any = data
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
    return node


def _set(data: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    node = data
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value


_ABSENT = ("absent", None)  # a value win_regedit deleted


def _registry_read(state: HostState, key: str, name: str) -> tuple[str, Any] | None:
    if (key, name) in state.registry:
        entry = state.registry[(key, name)]
        return None if entry == _ABSENT else entry
    mapped = REGISTRY.get((key, name))
    if mapped is None:
        return None
    data = state.section(mapped[0])
    value = None if data is None else _dig(data, mapped[1])
    return None if value is None else ("dword", value)


def _registry_write(state: HostState, key: str, name: str, reg_type: str, value: Any) -> None:
    policy = defender.is_policy_key(key)
    if policy:
        defender.preferences(state)  # read before the change: it is derived from the recording
    state.registry[(key, name)] = (reg_type, value) if reg_type != "absent" else _ABSENT
    if policy:
        defender.recompute(state)
    mapped = REGISTRY.get((key, name))
    if mapped is None:
        return
    data = state.section(mapped[0])
    if data is None:  # the host never reported that section: nothing to show
        return
    _set(data, mapped[1], value)
    state.update(mapped[0], data)


def _regedit_absent(state: HostState, call: ModuleCall, args: dict[str, Any]) -> dict[str, Any]:
    """Set-StateAbsent of win_regedit.ps1 for one value (deleting whole keys is not simulated)."""
    if args["name"] is None:
        raise Unsupported("lab WinRM endpoint: win_regedit deleting a whole key is not simulated")
    key, name = _key(str(args["path"])), str(args["name"]).lower()
    existing = _registry_read(state, key, name)
    result: dict[str, Any] = {"changed": False, "data_changed": False, "data_type_changed": False}
    diff: dict[str, Any] = {"before": "", "after": ""}
    if existing is not None:
        result["changed"] = True
        diff = {
            "before": {args["path"]: {args["name"]: _diff_value(*existing)}},
            "after": {args["path"]: {}},
        }
        if not check_mode(call):
            _registry_write(state, key, name, "absent", None)
    if diff_wanted(call):
        result["diff"] = diff
    result["invocation"] = {"module_args": args}
    return result


def win_regedit(state: HostState, call: ModuleCall) -> dict[str, Any]:
    p = call.params
    args: dict[str, Any] = {
        "path": p.get("path", p.get("key")),
        "name": p.get("name", p.get("entry", p.get("value"))),
        "data": p.get("data"),
        "type": str(p.get("type", p.get("datatype")) or "string").lower(),
        "state": p.get("state") or "present",
        "delete_key": p.get("delete_key", True),
        "hive": p.get("hive"),
    }
    known = {"path", "key", "name", "entry", "value", "data", "type", "datatype", "state"}
    unknown_options(
        {k: v for k, v in p.items() if k != "delete_key"}, known | {"hive"}, "win_regedit"
    )
    if args["hive"] is not None:
        raise Unsupported("lab WinRM endpoint: win_regedit hive is not simulated")
    if args["type"] not in _REG_TYPES:
        raise Unsupported(f"value of type must be one of: {', '.join(_REG_TYPES)}")
    if not args["path"]:
        raise Unsupported("missing required arguments: path")
    if args["state"] not in ("present", "absent"):
        raise Unsupported("value of state must be one of: present, absent")
    if args["state"] == "absent":
        return _regedit_absent(state, call, args)
    if args["name"] is None or args["data"] is None:
        raise Unsupported(
            "lab WinRM endpoint: win_regedit simulates state=present with name and data"
        )
    key, name = _key(str(args["path"])), str(args["name"]).lower()
    reg_type = args["type"]
    new = _convert(args["data"], reg_type)
    existing = _registry_read(state, key, name)
    result: dict[str, Any] = {"changed": False, "data_changed": False, "data_type_changed": False}
    before: dict[str, Any] = {args["path"]: {}}
    after: dict[str, Any] = {args["path"]: {}}
    if existing is None:
        result["changed"] = True
    else:
        old_type, old = existing
        if old_type != reg_type:
            result["data_type_changed"] = True
        if old != new:
            result["data_changed"] = True
        result["changed"] = result["data_type_changed"] or result["data_changed"]
        before[args["path"]][args["name"]] = _diff_value(old_type, old)
    after[args["path"]][args["name"]] = _diff_value(reg_type, new)
    if result["changed"] and not check_mode(call):
        _registry_write(state, key, name, reg_type, new)
    if diff_wanted(call):
        result["diff"] = {"before": before, "after": after}
    result["invocation"] = {"module_args": args}
    return result


# ----------------------------------------------------------------------------- win_firewall
def win_firewall(state: HostState, call: ModuleCall) -> dict[str, Any]:
    p = call.params
    unknown_options(p, {"profiles", "state"}, "win_firewall")
    profiles = p.get("profiles") or list(FIREWALL_PROFILES)
    if isinstance(profiles, str):
        profiles = [x.strip() for x in profiles.split(",")]
    wanted = p.get("state")
    args = {"profiles": profiles, "state": wanted, "inbound_action": None, "outbound_action": None}
    bad = [x for x in profiles if x not in FIREWALL_PROFILES]
    if bad or wanted not in ("enabled", "disabled"):
        raise Unsupported(
            "value of profiles must be one or more of: Domain, Private, Public; "
            "state must be one of: disabled, enabled"
        )
    version = build(state)
    if version is not None and version < _NETSECURITY_BUILD:
        raise Unsupported(
            "win_firewall requires Get-NetFirewallProfile and Set-NetFirewallProfile Cmdlets."
        )
    data = state.section("firewall")
    if data is None:
        raise Unsupported("lab WinRM endpoint: this profile recorded no firewall section")
    result: dict[str, Any] = {
        "changed": False,
        "restart_required": False,
        "profiles": profiles,
        "state": wanted,
    }
    for short, key in FIREWALL_PROFILES.items():
        local = _dig(data, ("profiles", key, "local"))
        current = (
            _GPO_NOT_CONFIGURED if local is None else (_GPO_TRUE if local == 1 else _GPO_FALSE)
        )
        entry = {
            "enabled": current == _GPO_TRUE,
            "considered": short in profiles,
            "currentstate": current,
        }
        result[short] = entry
        if short not in profiles:
            continue
        target, from_ = (1, _GPO_FALSE) if wanted == "enabled" else (0, _GPO_TRUE)
        if current == from_:
            result["changed"] = True
            entry["enabled"] = wanted == "enabled"
            if not check_mode(call):
                _set(data, ("profiles", key, "local"), target)
    if result["changed"] and not check_mode(call):
        state.update("firewall", data)
    result["invocation"] = {"module_args": args}
    return result


# --------------------------------------------------------------------------------- win_user
def _user_facts(state: HostState, user: dict[str, Any]) -> dict[str, Any]:
    accounts = state.section("accounts") or {}
    computer = str(accounts.get("computer") or "")
    admins = [str(a) for a in accounts.get("administrators") or []]
    path = f"WinNT://WORKGROUP/{computer}/{user['name']}"
    groups = []
    if any(a.lower() == path.lower() for a in admins):
        groups.append(
            {"name": "Administrators", "path": f"WinNT://WORKGROUP/{computer}/Administrators"}
        )
    return {
        "fullname": "",
        "path": path,
        "description": "",
        "password_expired": False,
        "password_never_expires": False,
        "user_cannot_change_password": False,
        "account_disabled": bool(user.get("disabled")),
        "account_locked": False,
        "sid": user.get("sid"),
        "groups": groups,
    }


def win_user(state: HostState, call: ModuleCall) -> dict[str, Any]:
    p = call.params
    unknown_options(
        {k: v for k, v in p.items() if k not in ("groups_action", "update_password")},
        {"name", "state", "account_disabled"},
        "win_user",
    )
    name = p.get("name")
    wanted = p.get("state") or "present"
    disabled = p.get("account_disabled")
    args = {
        "name": name,
        "state": wanted,
        "account_disabled": disabled,
        "groups_action": p.get("groups_action") or "replace",
        "update_password": p.get("update_password") or "always",
    }
    if not name:
        raise Unsupported("missing required arguments: name")
    if wanted not in ("present", "query"):
        raise Unsupported(f"lab WinRM endpoint: win_user state={wanted} is not simulated")
    accounts = state.section("accounts")
    users = [] if accounts is None else list(accounts.get("users") or [])
    match = [u for u in users if str(u.get("name", "")).lower() == str(name).lower()]
    result: dict[str, Any] = {"changed": False}
    if wanted == "query":
        result["msg"] = f"Querying user '{name}'"
        result["state"] = "present" if match else "absent"
    elif not match:
        raise Unsupported("lab WinRM endpoint: win_user creating an account is not simulated")
    else:
        user = match[0]
        before = copy.deepcopy(user)
        if disabled is not None and bool(disabled) != bool(user.get("disabled")):
            result["changed"] = True
            if not check_mode(call):
                user["disabled"] = bool(disabled)
                assert accounts is not None
                state.update("accounts", accounts)
        result["state"] = "present"
        if diff_wanted(call):
            after = {"name": user["name"], "account_disabled": bool(disabled)}
            if disabled is None:
                after["account_disabled"] = bool(before.get("disabled"))
            result["diff"] = {
                "before": {
                    "name": before["name"],
                    "account_disabled": bool(before.get("disabled")),
                },
                "after": after,
            }
    result["name"] = name
    if match:
        result.update(_user_facts(state, match[0]))
    result["invocation"] = {"module_args": args}
    return result


# --------------------------------------------------------------------------- win_powershell
def _smb1_script(state: HostState, script: Script) -> None:
    """smb_hardening: Set-SmbServerConfiguration -EnableSMB1Protocol $false where SMB1 is on."""
    script.changed = False
    data = state.section("smb")
    if data and data.get("server_smb1_config") is True:
        if script.should_process():
            data["server_smb1_config"] = False
            data["server_smb1_registry"] = 0  # the cmdlet stores the setting in the registry too
            state.registry[
                (r"system\currentcontrolset\services\lanmanserver\parameters", "smb1")
            ] = ("dword", 0)
            state.update("smb", data)
        script.changed = True


ROLE_SCRIPTS: dict[tuple[str, str], Callable[[HostState, Script], None]] = {
    **{("windows_updates", n): f for n, f in winupdate.SCRIPTS.items()},
    **{("windows_defender", n): f for n, f in defender.SCRIPTS.items()},
    **{("password_policy", n): f for n, f in secpol.SCRIPTS.items()},
}


def _script_simulation(script: str) -> Callable[[HostState, Script], None]:
    if SMB1_SCRIPT_MARKER in script:
        return _smb1_script
    marker = ROLE_SCRIPT.search(script)
    if marker is not None and (marker["role"], marker["name"]) in ROLE_SCRIPTS:
        return ROLE_SCRIPTS[(marker["role"], marker["name"])]
    raise Unsupported(
        "lab WinRM endpoint: win_powershell only simulates the smb_hardening SMB1 script and "
        "the role scripts marked '# verify-role ROLE: NAME' it knows"
    )


def _error_record(message: str) -> dict[str, Any]:
    """A ``throw "message"`` error record as win_powershell returns it."""
    return {
        "output": f"{message}\r\n",
        "error_details": None,
        "exception": {
            "message": message,
            "type": "System.Management.Automation.RuntimeException",
            "help_link": None,
            "source": None,
            "hresult": -2146233087,
            "inner_exception": None,
        },
        "target_object": message,
        "category_info": {
            "category": "OperationStopped",
            "category_id": 14,
            "activity": "",
            "reason": "RuntimeException",
            "target_name": message,
            "target_type": "String",
        },
        "fully_qualified_error_id": message,
        "script_stack_trace": "at <ScriptBlock>, <No file>",
        "pipeline_iteration_info": [],
    }


def win_powershell(state: HostState, call: ModuleCall) -> dict[str, Any]:
    p = call.params
    script_text = str(p.get("script") or "")
    simulate = _script_simulation(script_text)
    unknown_options(
        p, {"script", "error_action", "depth", "remote_src", "parameters"}, "win_powershell"
    )
    args = {
        "script": script_text,
        "error_action": p.get("error_action") or "continue",
        "depth": p.get("depth") or 2,
        "remote_src": bool(p.get("remote_src")),
        "arguments": None,
        "chdir": None,
        "creates": None,
        "executable": None,
        "parameters": p.get("parameters"),
        "path": None,
        "removes": None,
        "sensitive_parameters": None,
    }
    result: dict[str, Any] = {
        "changed": False,
        "result": {},
        "host_out": "",
        "host_err": "",
        "output": [],
        "error": [],
        "warning": [],
        "verbose": [],
        "debug": [],
        "information": [],
    }
    should_process = SHOULD_PROCESS.search(script_text) is not None
    if check_mode(call) and not should_process:
        result.update(changed=True, msg="skipped, running in check mode")
    else:
        script = Script(p.get("parameters"), what_if=check_mode(call) and should_process)
        failed = False
        try:
            simulate(state, script)
        except ScriptError as exc:
            failed = True
            result["error"] = [_error_record(str(exc))]
        result.update(
            changed=script.changed, result=script.result, output=script.output, failed=failed
        )
    result["invocation"] = {"module_args": args}
    return result


MODULES: dict[str, Callable[[HostState, ModuleCall], dict[str, Any]]] = {
    "win_regedit": win_regedit,
    "win_firewall": win_firewall,
    "win_user": win_user,
    "win_powershell": win_powershell,
    "win_service": win_service,
    "win_updates": winupdate.win_updates,
    "win_security_policy": secpol.win_security_policy,
}


def answer(state: HostState, call: ModuleCall) -> CommandResult:
    """The exec wrapper's output for a remediation module call on this host (journaled)."""
    entry: dict[str, Any] = {
        "module": call.name,
        "args": call.params,
        "check_mode": check_mode(call),
    }
    simulate = MODULES.get(call.name)
    with state.lock:
        try:
            if simulate is None:
                raise Unsupported(f"lab WinRM endpoint: module {call.name} is not simulated")
            body = simulate(state, call)
        except ModuleFailure as exc:
            entry.update(changed=bool(exc.body.get("changed")), failed=True, msg=exc.body["msg"])
            state.record(entry)
            return CommandResult(stdout=json_line(exc.body), exit_code=1)
        except (Unsupported, ValueError, TypeError) as exc:
            entry.update(changed=False, failed=True, msg=str(exc))
            state.record(entry)
            return fail_result(str(exc), call.params)
        entry.update(body.pop("_journal", {}))
        entry.update(changed=bool(body.get("changed")), failed=bool(body.get("failed")))
        state.record(entry)
    return CommandResult(stdout=json_line(body))
