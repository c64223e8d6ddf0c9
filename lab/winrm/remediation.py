"""The remediation modules verify's Windows roles use, as they behave on a profile's host.

Each simulation answers with the JSON of the real module in the pinned collections
(``ansible.windows`` ``win_regedit``, ``win_firewall``, ``win_user``, ``win_powershell``;
``Ansible.Basic`` adds ``changed`` and ``invocation``), honours check mode (``changed`` is
reported, nothing is changed) and changes the endpoint's :class:`HostState`, so the next run of
verify's collection script reports the new state and a second identical call reports
``changed: false``. What a call would change that the collection does not show (a registry
value verify does not read) is remembered too, so idempotence holds for it as well.

What the lab mirrors of Windows itself:

- ``win_regedit`` writes the registry values the collection script reads (SMB1, mrxsmb10 Start,
  fDenyTSConnections, UserAuthentication, SecurityLayer, EnableLUA and the other UAC values, the
  firewall profiles' local and policy EnableFirewall). Writing ``SMB1`` does not change the
  running SMB server (``Get-SmbServerConfiguration`` keeps reporting SMB1 on until a restart);
- ``win_powershell`` runs only the SMB1 script of the ``smb_hardening`` role
  (``Set-SmbServerConfiguration -EnableSMB1Protocol $false``): the running server and the SMB1
  registry value both turn SMB1 off, where the cmdlet exists (Windows 8 / Server 2012 and later);
- ``win_firewall`` sets each profile's local setting (``Set-NetFirewallProfile``, the persistent
  store); a Group Policy value, when there is one, still wins, as on Windows;
- ``win_user`` queries, enables and disables existing local accounts.

Anything else (another module, an option these do not simulate) fails loudly instead of
pretending.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from lab.winrm.commands import ModuleCall
from lab.winrm.handlers import CommandResult
from lab.winrm.hoststate import HostState

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


class Unsupported(ValueError):
    """A call the lab does not simulate (fails the task with this message)."""


def _json_line(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, separators=(",", ":")) + "\r\n").encode("utf-8")


def _fail(msg: str, module_args: dict[str, Any]) -> CommandResult:
    body = {"failed": True, "msg": msg, "invocation": {"module_args": module_args}}
    return CommandResult(stdout=_json_line(body), exit_code=1)


def _check_mode(call: ModuleCall) -> bool:
    return bool(call.args.get("_ansible_check_mode"))


def _diff_wanted(call: ModuleCall) -> bool:
    return bool(call.args.get("_ansible_diff"))


def _build(state: HostState) -> int | None:
    os_ = state.section("os") or {}
    try:
        return int(str(os_.get("build_number")))
    except ValueError:
        return None


def _unknown_options(params: dict[str, Any], known: set[str], module: str) -> None:
    extra = sorted(k for k, v in params.items() if k not in known and v is not None)
    if extra:
        raise Unsupported(f"lab WinRM endpoint: {module} option(s) {extra} are not simulated")


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


def _registry_read(state: HostState, key: str, name: str) -> tuple[str, Any] | None:
    if (key, name) in state.registry:
        return state.registry[(key, name)]
    mapped = REGISTRY.get((key, name))
    if mapped is None:
        return None
    data = state.section(mapped[0])
    value = None if data is None else _dig(data, mapped[1])
    return None if value is None else ("dword", value)


def _registry_write(state: HostState, key: str, name: str, reg_type: str, value: Any) -> None:
    state.registry[(key, name)] = (reg_type, value)
    mapped = REGISTRY.get((key, name))
    if mapped is None:
        return
    data = state.section(mapped[0])
    if data is None:  # the host never reported that section: nothing to show
        return
    _set(data, mapped[1], value)
    state.update(mapped[0], data)


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
    _unknown_options(
        {k: v for k, v in p.items() if k != "delete_key"}, known | {"hive"}, "win_regedit"
    )
    if args["hive"] is not None:
        raise Unsupported("lab WinRM endpoint: win_regedit hive is not simulated")
    if args["type"] not in _REG_TYPES:
        raise Unsupported(f"value of type must be one of: {', '.join(_REG_TYPES)}")
    if not args["path"]:
        raise Unsupported("missing required arguments: path")
    if args["state"] != "present" or args["name"] is None or args["data"] is None:
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
    if result["changed"] and not _check_mode(call):
        _registry_write(state, key, name, reg_type, new)
    if _diff_wanted(call):
        result["diff"] = {"before": before, "after": after}
    result["invocation"] = {"module_args": args}
    return result


# ----------------------------------------------------------------------------- win_firewall
def win_firewall(state: HostState, call: ModuleCall) -> dict[str, Any]:
    p = call.params
    _unknown_options(p, {"profiles", "state"}, "win_firewall")
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
    build = _build(state)
    if build is not None and build < _NETSECURITY_BUILD:
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
            if not _check_mode(call):
                _set(data, ("profiles", key, "local"), target)
    if result["changed"] and not _check_mode(call):
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
    _unknown_options(
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
            if not _check_mode(call):
                user["disabled"] = bool(disabled)
                assert accounts is not None
                state.update("accounts", accounts)
        result["state"] = "present"
        if _diff_wanted(call):
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
def win_powershell(state: HostState, call: ModuleCall) -> dict[str, Any]:
    p = call.params
    script = str(p.get("script") or "")
    if SMB1_SCRIPT_MARKER not in script:
        raise Unsupported(
            "lab WinRM endpoint: win_powershell only simulates the smb_hardening SMB1 script"
        )
    _unknown_options(p, {"script", "error_action", "depth", "remote_src"}, "win_powershell")
    data = state.section("smb")
    changed = bool(data and data.get("server_smb1_config") is True)
    if changed and not _check_mode(call):
        assert data is not None
        data["server_smb1_config"] = False
        data["server_smb1_registry"] = 0  # the cmdlet stores the setting in the registry too
        state.registry[(r"system\currentcontrolset\services\lanmanserver\parameters", "smb1")] = (
            "dword",
            0,
        )
        state.update("smb", data)
    args = {
        "script": script,
        "error_action": p.get("error_action") or "continue",
        "depth": p.get("depth") or 2,
        "remote_src": bool(p.get("remote_src")),
        "arguments": None,
        "chdir": None,
        "creates": None,
        "executable": None,
        "parameters": None,
        "path": None,
        "removes": None,
        "sensitive_parameters": None,
    }
    return {
        "changed": changed,
        "result": {},
        "host_out": "",
        "host_err": "",
        "output": [],
        "error": [],
        "warning": [],
        "verbose": [],
        "debug": [],
        "information": [],
        "invocation": {"module_args": args},
    }


MODULES: dict[str, Callable[[HostState, ModuleCall], dict[str, Any]]] = {
    "win_regedit": win_regedit,
    "win_firewall": win_firewall,
    "win_user": win_user,
    "win_powershell": win_powershell,
}


def answer(state: HostState, call: ModuleCall) -> CommandResult:
    """The exec wrapper's output for a remediation module call on this host (journaled)."""
    entry: dict[str, Any] = {
        "module": call.name,
        "args": call.params,
        "check_mode": _check_mode(call),
    }
    simulate = MODULES.get(call.name)
    with state.lock:
        try:
            if simulate is None:
                raise Unsupported(f"lab WinRM endpoint: module {call.name} is not simulated")
            body = simulate(state, call)
        except (Unsupported, ValueError, TypeError) as exc:
            entry.update(changed=False, failed=True, msg=str(exc))
            state.record(entry)
            return _fail(str(exc), call.params)
        entry.update(changed=bool(body.get("changed")), failed=False)
        state.record(entry)
    return CommandResult(stdout=_json_line(body))
