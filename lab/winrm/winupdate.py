"""Windows Update on a simulated host: ``ansible.windows.win_updates``, and the
``windows_updates`` role's probe script.

What Windows Update offers a profile is its ``windows_update:`` list in ``profile.yml`` (an
update: ``id``, ``title``, ``kb``, ``categories``, ``reboot_required``; optional ``qfe``, the
Win32_QuickFixEngineering description it gets once installed, ``on_boot``, the ``os`` values the
restart after it applies, and ``defender_signatures``, for a Defender definition update). None
of that is invented per run: a profile without the key is offered nothing.

The module is driven by its action plugin (``plugins/action/win_updates.py``): ``_operation:
start`` runs the update task and returns ``poll_options``/``cancel_options``; ``poll`` returns
the task's progress records (``search_result``, ``download_result``, ``install_result``,
``exit``); ``cancel`` ends it. The task does what ``Install-WindowsUpdate`` in
``plugins/modules/win_updates.ps1`` does, in the same order:

- the Windows Update service disabled: the search fails with 0x80070422;
- every update not installed is searched; ``category_names`` (CamelCase names mapped to
  Windows Update's, an empty list meaning every category), ``accept_list``/``reject_list`` and
  hidden filter them (``filtered`` with the reasons);
- check mode, ``state: searched`` or nothing selected: exit (``changed`` when something would
  be installed);
- a restart already required (``Microsoft.Update.SystemInfo.RebootRequired``, i.e. the
  ``RebootRequired`` key the collection reads as ``wu_reboot_required``): fails with "A reboot
  is required before more updates can be installed" (the action plugin restarts once and
  retries when ``reboot: true``);
- download, then install: each update is added to the update history (and to the hotfix list
  when it has ``qfe``); one that needs a restart sets the pending-restart indicators.

The restart itself is :mod:`lab.winrm.power`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from typing import Any

from lab.winrm import defender
from lab.winrm.commands import ModuleCall
from lab.winrm.hoststate import HostState
from lab.winrm.power import boot_time
from lab.winrm.sim import (
    ModuleFailure,
    Script,
    Unsupported,
    check_mode,
    iso_utc,
    qfe_date,
    service,
    unknown_options,
)

# win_updates.ps1: the CamelCase names it accepts for Windows Update's category names.
CATEGORY_NAMES = {
    "CriticalUpdates": "Critical Updates",
    "DefinitionUpdates": "Definition Updates",
    "DeveloperKits": "Developer Kits",
    "FeaturePacks": "Feature Packs",
    "SecurityUpdates": "Security Updates",
    "ServicePacks": "Service Packs",
    "UpdateRollups": "Update Rollups",
}
DEFAULT_CATEGORIES = ["CriticalUpdates", "SecurityUpdates", "UpdateRollups"]
_OPTIONS = {
    "accept_list",
    "category_names",
    "log_path",
    "reject_list",
    "server_selection",
    "state",
    "skip_optional",
    "reboot",
    "reboot_timeout",
    "_operation",
    "_operation_options",
}
E_SERVICE_DISABLED = -2147023838  # 0x80070422 ERROR_SERVICE_DISABLED, as a signed HRESULT
_HISTORY_KEPT = 30  # the collection reads QueryHistory(0, 30)


def catalogue(state: HostState) -> list[dict[str, Any]]:
    """What Windows Update offers this host now (installed updates are no longer offered)."""
    installed = state.sim.setdefault("wu_installed", set())
    offered = state.sim.get("wu_catalogue") or []
    return [u for u in offered if u["id"] not in installed]


def _info(update: dict[str, Any], downloaded: set[str]) -> dict[str, Any]:
    """Format-UpdateInfo of win_updates.ps1."""
    return {
        "id": update["id"],
        "title": update["title"],
        "description": update.get("description", ""),
        "kb": [k if k.startswith("KB") else f"KB{k}" for k in update.get("kb") or []],
        "type": "Software",
        "deployment_action": "Installation",
        "auto_select_on_websites": True,
        "browse_only": False,
        "revision_number": int(update.get("revision_number", 200)),
        "categories": list(update.get("categories") or []),
        "is_installed": False,
        "is_hidden": False,
        "is_present": False,
        "reboot_required": False,  # IUpdate.RebootRequired: only true once installed
        "impact": "Normal",
        "reboot_behaviour": "CanRequestReboot" if update.get("reboot_required") else "NeverReboots",
        "is_beta": False,
        "is_downloaded": update["id"] in downloaded,
        "is_mandatory": False,
        "is_uninstallable": False,
        "auto_selection": "LetWindowsUpdateDecide",
        "auto_download": "LetWindowsUpdateDecide",
    }


def _wanted_categories(names: list[str]) -> list[str]:
    return [CATEGORY_NAMES.get(n, n) for n in names]


def _in_list(update: dict[str, Any], patterns: list[str]) -> bool:
    # Test-InList: each pattern is a regex against the title and every KB.
    values = [update["title"], *(update.get("kb") or [])]
    return any(re.search(p, v, re.I) for p in patterns for v in values)


def _exit(
    output: list[dict[str, Any]],
    changed: bool,
    reboot_required: bool,
    failure: str | None = None,
    hresult: int | None = None,
) -> None:
    result: dict[str, Any] = {
        "changed": changed,
        "failed": failure is not None,
        "reboot_required": reboot_required,
        "action": None,
        "exception": None,
    }
    if failure is not None:
        del result["action"]  # the module's trap removes it once it is in the message
        exception: dict[str, Any] = {"message": failure, "exception": failure}
        if hresult is not None:
            exception["hresult"] = hresult
        result["exception"] = exception
    output.append({"task": "exit", "result": result})


def _install(state: HostState, update: dict[str, Any]) -> None:
    now = state.now()
    history = state.section("update_history")
    if history is not None:
        entry = {"date": iso_utc(now), "title": update["title"], "operation": 1, "result_code": 2}
        history["items"] = [entry, *(history.get("items") or [])][:_HISTORY_KEPT]
        history["total"] = int(history.get("total") or 0) + 1
        state.update("update_history", history)
    qfe = update.get("qfe")
    hotfixes = state.section("hotfixes")
    if qfe and hotfixes is not None:
        for kb in update.get("kb") or []:
            hotfixes.setdefault("items", []).append(
                {"id": kb, "installed_on": qfe_date(now), "description": qfe}
            )
        state.update("hotfixes", hotfixes)
    if update.get("defender_signatures"):
        defender.refresh_signatures(state)
    if update.get("reboot_required"):
        reboot = state.section("reboot")
        if reboot is not None:
            reboot.update(cbs_reboot_pending=True, wu_reboot_required=True)
            state.update("reboot", reboot)
        state.sim.setdefault("on_boot", {}).update(update.get("on_boot") or {})
    state.sim.setdefault("wu_installed", set()).add(update["id"])


def _run(state: HostState, p: dict[str, Any], check: bool) -> tuple[list[dict[str, Any]], Any]:
    """Install-WindowsUpdate: the progress records it writes, and what it installed."""
    output: list[dict[str, Any]] = []
    installed: list[str] = []
    reboot = state.section("reboot") or {}
    reboot_before = bool(reboot.get("wu_reboot_required"))
    wu = service(state, "wuauserv")
    if wu is not None and str(wu.get("start_mode")).lower() == "disabled":
        msg = "Searching for updates: Exception from HRESULT: 0x80070422"
        _exit(output, False, reboot_before, msg, E_SERVICE_DISABLED)
        return output, installed
    categories = _wanted_categories(list(p["category_names"]))
    accept, reject = list(p.get("accept_list") or []), list(p.get("reject_list") or [])
    downloaded: set[str] = state.sim.setdefault("wu_downloaded", set())
    updates, filtered, selected = [], [], []
    for update in catalogue(state):
        updates.append(_info(update, downloaded))
        reasons = []
        if accept and not _in_list(update, accept):
            reasons.append("accept_list")
        if reject and _in_list(update, reject):
            reasons.append("reject_list")
        own = [c.lower() for c in update.get("categories") or []]
        if categories and not any(c == "*" or c.lower() in own for c in categories):
            reasons.append("category_names")
        if reasons:
            filtered.append({"id": update["id"], "reasons": reasons})
        else:
            selected.append(update)
    output.append({"task": "search_result", "result": {"updates": updates, "filtered": filtered}})
    if check or p["state"] == "searched" or not selected:
        _exit(output, bool(selected) and p["state"] != "searched", reboot_before)
        return output, installed
    if reboot_before:
        _exit(output, False, True, "A reboot is required before more updates can be installed")
        return output, installed
    to_download = [u for u in selected if u["id"] not in downloaded]
    if to_download:
        info = [{"id": u["id"], "result_code": 2, "hresult": 0} for u in to_download]
        output.append({"task": "download_result", "result": {"info": info}})
        downloaded.update(u["id"] for u in to_download)
    if p["state"] == "downloaded":
        _exit(output, bool(to_download), reboot_before)
        return output, installed
    results = []
    for update in selected:
        _install(state, update)
        installed.extend(update.get("kb") or [update["id"]])
        results.append(
            {
                "id": update["id"],
                "result_code": 2,
                "hresult": 0,
                "reboot_required": bool(update.get("reboot_required")),
            }
        )
    output.append({"task": "install_result", "result": {"info": results}})
    after = state.section("reboot") or {}
    _exit(output, True, bool(after.get("wu_reboot_required")))
    return output, installed


def win_updates(state: HostState, call: ModuleCall) -> dict[str, Any]:
    p = dict(call.params)
    unknown_options(p, _OPTIONS, "win_updates")
    for option in ("log_path", "server_selection"):
        if p.get(option) not in (None, "default"):
            raise Unsupported(f"lab WinRM endpoint: win_updates {option} is not simulated")
    if p.get("skip_optional"):
        raise Unsupported("lab WinRM endpoint: win_updates skip_optional is not simulated")
    args: dict[str, Any] = {
        "accept_list": p.get("accept_list"),
        "category_names": p.get("category_names", list(DEFAULT_CATEGORIES)),
        "log_path": None,
        "reject_list": p.get("reject_list"),
        "server_selection": "default",
        "state": p.get("state") or "installed",
        "skip_optional": False,
        "reboot": bool(p.get("reboot", False)),
        "reboot_timeout": int(p.get("reboot_timeout") or 1200),
        "_operation": p.get("_operation") or "start",
        "_operation_options": p.get("_operation_options"),
    }
    if isinstance(args["category_names"], str):
        args["category_names"] = [c.strip() for c in args["category_names"].split(",")]
    if args["state"] not in ("installed", "searched", "downloaded"):
        raise Unsupported("value of state must be one of: installed, searched, downloaded")
    tasks: dict[str, list[dict[str, Any]]] = state.sim.setdefault("wu_tasks", {})
    result: dict[str, Any] = {"changed": False}
    operation = args["_operation"]
    options = args["_operation_options"] or {}
    if operation == "poll":
        pipe = str(options.get("pipe_name"))
        if pipe not in tasks:
            raise ModuleFailure(
                {"failed": True, "msg": "Timed out waiting for server pipe to be available"}
            )
        result["output"] = tasks[pipe]
        tasks[pipe] = []
    elif operation == "cancel":
        tasks.pop(str(options.get("cancel_id", "")).removeprefix("Global\\"), None)
    elif options.get("wait"):
        raise Unsupported("lab WinRM endpoint: win_updates under async is not simulated")
    else:
        task_id = str(uuid.uuid4())
        pipe = f"Ansible.Windows.WinUpdates-{task_id}"
        output, installed = _run(state, args, check_mode(call))
        tasks[pipe] = copy.deepcopy(output)
        result["cancel_options"] = {"cancel_id": f"Global\\{pipe}", "task_pid": 4000 + len(tasks)}
        result["poll_options"] = {"pipe_name": pipe}
        exit_result = output[-1]["result"]
        result["_journal"] = {
            "installed": installed,
            "reboot_required": exit_result["reboot_required"],
            "update_failed": exit_result["failed"],
        }
    result["invocation"] = {"module_args": args}
    return result


# ------------------------------------------------------------------------ role script
def probe(state: HostState, script: Script) -> None:
    """The ``windows_updates`` role's probe: uptime, the pending-restart indicators and the
    Windows Update service (read-only)."""
    script.changed = False
    boot = boot_time(state)
    now = state.now()
    reboot = state.section("reboot") or {}
    indicators = {
        k: bool(reboot.get(k))
        for k in ("cbs_reboot_pending", "wu_reboot_required", "pending_file_rename")
    }
    wu = service(state, "wuauserv")
    script.result = {
        "uptime_seconds": None if boot is None else int((now - boot) / dt.timedelta(seconds=1)),
        "last_boot": None if boot is None else iso_utc(boot),
        "reboot_pending": any(indicators.values()),
        "reboot_indicators": indicators,
        "service": None
        if wu is None
        else {
            "name": "wuauserv",
            "start_mode": str(wu.get("start_mode")).lower(),
            "state": str(wu.get("state")).lower(),
        },
    }


SCRIPTS = {"probe": probe}
