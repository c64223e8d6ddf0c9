"""Shared by the lab's module simulations (:mod:`lab.winrm.remediation` and the modules it
dispatches to): the failure type, check/diff mode flags, option checks, the host's services and
the formats Windows prints dates in."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from lab.winrm.commands import ModuleCall
from lab.winrm.handlers import CommandResult
from lab.winrm.hoststate import HostState

_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Unsupported(ValueError):
    """A call the lab does not simulate (fails the task with this message)."""


class ModuleFailure(Exception):
    """The real module fails here: ``body`` is its JSON (``failed``/``msg`` and the rest)."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(str(body.get("msg", "")))
        self.body = body


def json_line(obj: dict[str, Any]) -> bytes:
    # Ansible.Basic writes one compact JSON document and a newline.
    return (json.dumps(obj, separators=(",", ":")) + "\r\n").encode("utf-8")


def fail_result(msg: str, module_args: dict[str, Any]) -> CommandResult:
    body = {"failed": True, "msg": msg, "invocation": {"module_args": module_args}}
    return CommandResult(stdout=json_line(body), exit_code=1)


def check_mode(call: ModuleCall) -> bool:
    return bool(call.args.get("_ansible_check_mode"))


def diff_wanted(call: ModuleCall) -> bool:
    return bool(call.args.get("_ansible_diff"))


def unknown_options(params: dict[str, Any], known: set[str], module: str) -> None:
    extra = sorted(k for k, v in params.items() if k not in known and v is not None)
    if extra:
        raise Unsupported(f"lab WinRM endpoint: {module} option(s) {extra} are not simulated")


def build(state: HostState) -> int | None:
    os_ = state.section("os") or {}
    try:
        return int(str(os_.get("build_number")))
    except ValueError:
        return None


def workstation(state: HostState) -> bool:
    """Win32_OperatingSystem.ProductType 1 (clients; 2 = DC, 3 = server)."""
    return (state.section("os") or {}).get("product_type") == 1


# ----------------------------------------------------------------------------- services
def service(state: HostState, name: str) -> dict[str, Any] | None:
    """The ``services`` entry of a service (Win32_Service Name/State/StartMode), by name."""
    for item in (state.section("services") or {}).get("items") or []:
        if str(item.get("name", "")).lower() == name.lower():
            return dict(item)
    return None


def set_service(state: HostState, name: str, values: dict[str, str]) -> None:
    data = state.section("services")
    if data is None:
        raise Unsupported("lab WinRM endpoint: this profile recorded no services section")
    for item in data.get("items") or []:
        if str(item.get("name", "")).lower() == name.lower():
            item.update(values)
            state.update("services", data)
            return
    raise Unsupported(f"lab WinRM endpoint: no service {name} on this host")


# -------------------------------------------------------------------------------- dates
def parse_utc(text: Any) -> dt.datetime | None:
    """The collection script's UTC timestamps (``2026-11-20T13:02:51Z``)."""
    try:
        return dt.datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc1123(moment: dt.datetime) -> str:
    """SecurityCenter2 ``timestamp`` (English names whatever the locale)."""
    m = moment.astimezone(dt.UTC)
    return f"{_DAYS[m.weekday()]}, {m.day:02d} {_MONTHS[m.month - 1]} {m.year} {m:%H:%M:%S} GMT"


def qfe_date(moment: dt.datetime) -> str:
    """``[string]`` of Win32_QuickFixEngineering.InstalledOn: a date at midnight, invariant."""
    return f"{moment:%m/%d/%Y} 00:00:00"


def filetime(moment: dt.datetime) -> int:
    """``[DateTime]::ToFileTime()``: 100-ns intervals since 1601-01-01 UTC."""
    delta = moment.astimezone(dt.UTC) - _FILETIME_EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


# ----------------------------------------------------------------- win_powershell scripts
class ScriptError(Exception):
    """A terminating error in a simulated script (``throw``, or a cmdlet under
    ``-ErrorAction Stop``): win_powershell reports it in ``error`` and fails."""


class Script:
    """What a simulated win_powershell script sees and sets: ``parameters``, ``what_if``
    (check mode with ShouldProcess) and the ``$Ansible`` object (Changed defaults to true)."""

    def __init__(self, parameters: dict[str, Any] | None, what_if: bool) -> None:
        self.parameters = dict(parameters or {})
        self.what_if = what_if
        self.changed = True
        self.result: Any = {}
        self.output: list[Any] = []

    def should_process(self) -> bool:
        """``$PSCmdlet.ShouldProcess(...)``: false under -WhatIf (check mode)."""
        return not self.what_if
