"""Restarting a simulated host: what ``ansible.windows.win_reboot`` (and ``win_updates`` with
``reboot: true``, which uses the same code) sends, answered as Windows would.

The reboot action plugin (``plugins/plugin_utils/_reboot.py`` of the pinned ansible.windows)
runs three raw PowerShell commands through the connection, each wrapped as
``COMMAND; If (-not $?) { ... exit ... }`` and sent with ``-EncodedCommand``:

1. the boot time, ``(Get-CimInstance ... Win32_OperatingSystem ...).LastBootUpTime.ToFileTime()``;
2. the restart: remove ``...\\Winlogon\\AutoLogonChecked``, run ``shutdown.exe /r /t N /c MSG``
   and print ``{"stdout", "stderr", "rc"}`` as compact JSON (rc 1190 when a shutdown is
   already scheduled; ``shutdown.exe /a`` then aborts it, 1116 when there is none);
3. until the boot time changed, (1) again; then the test command ``Get-Item -LiteralPath
   '...\\AutoLogonChecked' -ErrorAction Stop; 'success-<uuid>'``, which succeeds once Winlogon
   re-created the key after the restart.

The restart happens ``N`` seconds (``/t``) after the command, on the host's clock. Then the
host has booted: ``os.last_boot`` is that moment, the three pending-restart indicators are clear
(file renames done, CBS and Windows Update finished), what an update applies at boot is applied
(``sim["on_boot"]``, e.g. the new UBR), and from then on the collection's ``os.local_time`` is
the host's clock. The restart is journaled as module ``reboot`` with the shutdown command.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from lab.winrm.handlers import CommandResult
from lab.winrm.hoststate import HostState
from lab.winrm.sim import filetime, iso_utc, parse_utc

BOOT_TIME_COMMAND = (
    "(Get-CimInstance -ClassName Win32_OperatingSystem -Property LastBootUpTime)"
    ".LastBootUpTime.ToFileTime()"
)
LOGON_UI_KEY = r"HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon\AutoLogonChecked"
_SHUTDOWN = re.compile(
    r"shutdown\.exe /r /t (?P<delay>\d+) /c (?P<msg>'(?:[^']|'')*'|\"[^\"]*\"|\S+)", re.I
)
_ABORT = re.compile(r"^\s*C:\\Windows\\System32\\shutdown\.exe /a\s*(;|$)", re.I)
_TEST = re.compile(
    r"^\s*Get-Item -LiteralPath '" + re.escape(LOGON_UI_KEY) + r"' -ErrorAction Stop;\s*"
    r"'(?P<expected>[^']*)'",
    re.I,
)


def _crlf(text: str) -> bytes:
    return (text + "\r\n").encode("utf-8")


def boot_time(state: HostState) -> dt.datetime | None:
    return parse_utc((state.section("os") or {}).get("last_boot"))


def settle(state: HostState) -> None:
    """Finish a scheduled restart whose time has come (call before answering anything)."""
    with state.lock:
        due = state.sim.get("restart_at")
        if due is None or state.now() < due:
            return
        del state.sim["restart_at"]
        os_ = state.section("os")
        if os_ is not None:
            os_["last_boot"] = iso_utc(due)
            for key, value in state.sim.pop("on_boot", {}).items():
                os_[key] = value
            state.update("os", os_)
        reboot = state.section("reboot")
        if reboot is not None:
            state.update("reboot", dict.fromkeys(reboot, False))
        state.sim["live_clock"] = True
        state.sim["logon_ui_ready"] = True


def _restart(state: HostState, delay: int, msg: str, command: str) -> dict[str, Any]:
    if "restart_at" in state.sim:
        text = "A system shutdown has already been scheduled.(1190)"
        return {"stdout": "", "stderr": text, "rc": 1190}
    state.sim["restart_at"] = state.now() + dt.timedelta(seconds=delay)
    state.sim["logon_ui_ready"] = False  # the command removed AutoLogonChecked
    state.record(
        {
            "module": "reboot",
            "args": {"command": command, "delay": delay, "msg": msg},
            "check_mode": False,
            "changed": True,
            "failed": False,
        }
    )
    return {"stdout": "", "stderr": "", "rc": 0}


def answer(state: HostState, script: str) -> CommandResult | None:
    """The output of one of the reboot plugin's commands, or None if ``script`` is not one."""
    settle(state)
    body = script.strip()
    if body.startswith(BOOT_TIME_COMMAND):
        boot = boot_time(state)
        if boot is None:
            return None
        return CommandResult(stdout=_crlf(str(filetime(boot))))
    shutdown = _SHUTDOWN.search(body)
    if shutdown:
        raw_msg = shutdown["msg"]
        msg = raw_msg[1:-1].replace("''", "'") if raw_msg[:1] in "'\"" else raw_msg
        command = f"shutdown.exe /r /t {shutdown['delay']} /c {raw_msg}"
        with state.lock:
            result = _restart(state, int(shutdown["delay"]), msg, command)
        return CommandResult(stdout=_crlf(json.dumps(result, separators=(",", ":"))))
    if _ABORT.match(body):
        with state.lock:
            if state.sim.pop("restart_at", None) is None:
                text = (
                    "Unable to abort the system shutdown because no shutdown was in progress.(1116)"
                )
                return CommandResult(stderr=_crlf(text), exit_code=1116)
            state.sim["logon_ui_ready"] = True
        return CommandResult()
    test = _TEST.match(body)
    if test:
        if state.sim.get("logon_ui_ready", True):
            # Get-Item's table of the key is left out; the plugin looks for the marker only.
            return CommandResult(stdout=_crlf(test["expected"]))
        err = f"Get-Item : Cannot find path '{LOGON_UI_KEY}' because it does not exist."
        return CommandResult(stderr=_crlf(err), exit_code=1)
    return None
