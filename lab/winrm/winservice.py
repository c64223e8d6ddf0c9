"""``ansible.windows.win_service`` on a simulated host: ``name``, ``start_mode`` and ``state``
(started/stopped) of a service the profile recorded in its ``services`` section.

As the real module does, it opens the service with QueryConfig, QueryStatus,
EnumerateDependents and ChangeConfig rights whatever is asked (``state: absent`` aside). The
Defender services' security descriptors deny ChangeConfig to Administrators on Windows 10 /
Server 2016 and later, so the module fails there before looking at anything: the lab answers
that failure for them. The result carries the module's fields (``exists``, ``name``,
``display_name``, ``start_mode``, ``state``, ``username``, ``path`` ...); the collection's
Win32_Service ``StartMode`` shows ``delayed`` as ``Auto``.
"""

from __future__ import annotations

from typing import Any

from lab.winrm.commands import ModuleCall
from lab.winrm.hoststate import HostState
from lab.winrm.sim import (
    ModuleFailure,
    Unsupported,
    build,
    check_mode,
    diff_wanted,
    service,
    set_service,
    unknown_options,
)

# Documented defaults of the services the roles touch (display name, binary path, account,
# dependencies); others get their name as display name and no path.
KNOWN: dict[str, dict[str, Any]] = {
    "wuauserv": {
        "display_name": "Windows Update",
        "path": r"C:\WINDOWS\system32\svchost.exe -k netsvcs -p",
        "description": "Enables the detection, download, and installation of updates for "
        "Windows and other programs. If this service is disabled, users of this computer will "
        "not be able to use Windows Update or its automatic updating feature, and programs "
        "will not be able to use the Windows Update Agent (WUA) API.",
        "dependencies": ["rpcss"],
    },
}
PROTECTED = {"windefend", "wdnissvc", "sense", "securityhealthservice"}
_PROTECTED_FROM_BUILD = 14393  # Windows 10 1607 / Server 2016
_TO_WMI = {"auto": "Auto", "delayed": "Auto", "manual": "Manual", "disabled": "Disabled"}
_FROM_WMI = {"auto": "auto", "manual": "manual", "disabled": "disabled"}


def win_service(state: HostState, call: ModuleCall) -> dict[str, Any]:
    p = call.params
    unknown_options(
        {k: v for k, v in p.items() if k not in ("dependency_action", "desktop_interact")},
        {"name", "start_mode", "state", "force_dependent_services"},
        "win_service",
    )
    name, start_mode, wanted = p.get("name"), p.get("start_mode"), p.get("state")
    if not name:
        raise Unsupported("missing required arguments: name")
    if start_mode not in (None, "auto", "manual", "disabled", "delayed"):
        raise Unsupported("value of start_mode must be one of: auto, manual, disabled, delayed")
    if wanted not in (None, "started", "stopped"):
        raise Unsupported(f"lab WinRM endpoint: win_service state={wanted} is not simulated")
    args = {
        "name": name,
        "start_mode": start_mode,
        "state": wanted,
        "dependency_action": "set",
        "desktop_interact": False,
        "force_dependent_services": bool(p.get("force_dependent_services", False)),
    }
    svc = service(state, str(name))
    version = build(state)
    protected = str(name).lower() in PROTECTED and (version or 0) >= _PROTECTED_FROM_BUILD
    if svc is not None and protected:
        error = (
            f'Exception calling ".ctor" with "2" argument(s): "Failed to open service '
            f"'{svc['name']}' (Access is denied, Win32ErrorCode 5 - 0x00000005)\""
        )
        raise ModuleFailure(
            {"failed": True, "msg": f"Unhandled exception while executing module: {error}"}
        )
    if svc is None:
        raise ModuleFailure(
            {
                "changed": False,
                "exists": False,
                "failed": True,
                "msg": f"Service '{name}' is not installed, need to set 'path' to create a new "
                "service",
                "invocation": {"module_args": args},
            }
        )
    result: dict[str, Any] = {"changed": False}
    # Win32_Service shows a delayed start as "Auto": the lab remembers which ones it set.
    delayed: set[str] = state.sim.setdefault("delayed_services", set())
    before_mode = _FROM_WMI.get(str(svc["start_mode"]).lower(), "manual")
    if before_mode == "auto" and str(svc["name"]).lower() in delayed:
        before_mode = "delayed"
    before_state = str(svc["state"]).lower()
    after_mode, after_state = before_mode, before_state
    updates: dict[str, str] = {}
    if start_mode is not None and start_mode != before_mode:
        result["changed"], after_mode = True, start_mode
        updates["start_mode"] = _TO_WMI[start_mode]
    if wanted == "started" and before_state != "running":
        result["changed"], after_state = True, "running"
        updates["state"] = "Running"
    elif wanted == "stopped" and before_state != "stopped":
        result["changed"], after_state = True, "stopped"
        updates["state"] = "Stopped"
    if updates and not check_mode(call):
        set_service(state, svc["name"], updates)
        if "start_mode" in updates:
            (delayed.add if after_mode == "delayed" else delayed.discard)(str(svc["name"]).lower())
    known = KNOWN.get(str(svc["name"]).lower(), {})
    info = {
        "exists": True,
        "name": svc["name"],
        "display_name": known.get("display_name", svc["name"]),
        "description": known.get("description"),
        "path": known.get("path"),
        "start_mode": after_mode,
        "state": after_state,
        "username": "LocalSystem",
        "dependencies": list(known.get("dependencies", [])),
        "depended_by": [],
        "desktop_interact": False,
        "can_pause_and_continue": False,
    }
    result.update(info)
    if diff_wanted(call):
        before = {**info, "start_mode": before_mode, "state": before_state}
        result["diff"] = {"before": before, "after": info}
    result["invocation"] = {"module_args": args}
    return result
