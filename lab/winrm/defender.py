"""Microsoft Defender Antivirus on a simulated host, and the ``windows_defender`` role's scripts.

What decides Defender's state here (and on Windows):

- the ``WinDefend`` service must run. Its configuration is protected (the service's ACL denies
  SERVICE_CHANGE_CONFIG to Administrators on current Windows), so only starting it is simulated;
- the policy ``HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender`` ``DisableAntiSpyware`` = 1
  turns Defender off, ``...\\Real-Time Protection`` ``DisableRealtimeMonitoring`` = 1 turns
  real-time protection off; both are ignored while tamper protection is on;
- the local preference ``DisableRealtimeMonitoring`` (``Set-MpPreference``). A recording with
  real-time protection off and no policy explaining it starts with that preference set.

The collection shows the result in ``defender`` (``Get-MpComputerStatus``) and, on clients, in
Security Center's ``productState`` of the Defender entry (byte 2: 0x10 bit = real-time on;
byte 3: 0x10 = signatures out of date). Sections are rewritten only when something changes.

The role's scripts are recognised by their first line ``# verify-role windows_defender: NAME``
(``roles/windows_defender/files/NAME.ps1``); :data:`SCRIPTS` mirrors what each one does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lab.winrm.hoststate import HostState
from lab.winrm.sim import (
    Script,
    ScriptError,
    iso_utc,
    rfc1123,
    service,
    set_service,
    workstation,
)

POLICY_KEY = r"software\policies\microsoft\windows defender"
RTP_KEY = POLICY_KEY + r"\real-time protection"
DEFENDER_NAME = re.compile(r"^(windows|microsoft) defender", re.I)
# Defender's AVSignatureDue default: signatures older than this are "out of date".
SIGNATURE_DUE_DAYS = 7
_REALTIME_BIT = 0x1000  # productState: byte 2, 0x10
_OUT_OF_DATE = 0x10  # productState: byte 3
_START_TYPES = {"auto": "automatic", "manual": "manual", "disabled": "disabled"}


def is_policy_key(key: str) -> bool:
    return key == POLICY_KEY or key.startswith(POLICY_KEY + "\\")


def _policy(state: HostState, key: str, name: str) -> int | None:
    entry = state.registry.get((key, name))
    if entry is None or entry[0] not in ("dword", "qword"):
        return None
    return int(entry[1])


def _tamper(state: HostState) -> bool:
    return bool((state.section("defender") or {}).get("tamper_protected"))


def _running(state: HostState) -> bool:
    svc = service(state, "WinDefend")
    return svc is not None and str(svc.get("state")).lower() == "running"


def _enabled(state: HostState) -> bool:
    off_by_policy = _policy(state, POLICY_KEY, "disableantispyware") == 1 and not _tamper(state)
    return _running(state) and not off_by_policy


def _realtime_without_preference(state: HostState) -> bool:
    off = _policy(state, RTP_KEY, "disablerealtimemonitoring") == 1 and not _tamper(state)
    return _enabled(state) and not off


def preferences(state: HostState) -> dict[str, Any]:
    """``Get-MpPreference`` (the values the lab knows), remembered in ``state.sim``. The first
    call derives it from the recording: call it before changing anything Defender depends on."""
    prefs = state.sim.get("mp_preferences")
    if prefs is None:
        recorded = state.section("defender") or {}
        unexplained = recorded.get("realtime_enabled") is False and _realtime_without_preference(
            state
        )
        prefs = {"DisableRealtimeMonitoring": unexplained}
        state.sim["mp_preferences"] = prefs
    return prefs


def _defender_products(av: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        p
        for p in av.get("products") or []
        if isinstance(p, dict) and DEFENDER_NAME.match(str(p.get("name", "")))
    ]


def recompute(state: HostState) -> None:
    """Derive Defender's status from the service, the policies and the preference, and show it
    where the collection reads it."""
    data = state.section("defender")
    if data is None:
        return
    enabled = _enabled(state)
    realtime = (
        _realtime_without_preference(state) and not preferences(state)["DisableRealtimeMonitoring"]
    )
    new = {**data, "am_service_enabled": enabled, "antivirus_enabled": enabled}
    new["realtime_enabled"] = realtime
    if new != data:
        state.update("defender", new)
    av = state.section("antivirus")
    if av is None or av.get("source") != "SecurityCenter2":
        return
    changed = False
    for product in _defender_products(av):
        old = int(product.get("product_state") or 0)
        value = old | _REALTIME_BIT if realtime else old & ~_REALTIME_BIT
        if value != old:
            product["product_state"] = value
            product["timestamp"] = rfc1123(state.now())
            changed = True
    if changed:
        state.update("antivirus", av)


def refresh_signatures(state: HostState) -> None:
    """New security intelligence: what Update-MpSignature or a definition update installs."""
    now = state.now()
    data = state.section("defender")
    if data is not None:
        data.update(signature_last_updated=iso_utc(now), signature_age_days=0)
        state.update("defender", data)
    av = state.section("antivirus")
    if av is not None and av.get("source") == "SecurityCenter2":
        for product in _defender_products(av):
            product["product_state"] = int(product.get("product_state") or 0) & ~0xFF
            product["timestamp"] = rfc1123(now)
        state.update("antivirus", av)


def _out_of_date(state: HostState) -> bool:
    data = state.section("defender") or {}
    age = data.get("signature_age_days")
    if isinstance(age, int) and age > SIGNATURE_DUE_DAYS:
        return True
    av = state.section("antivirus") or {}
    if av.get("source") != "SecurityCenter2":
        return False
    return any(
        int(p.get("product_state") or 0) & 0xFF == _OUT_OF_DATE for p in _defender_products(av)
    )


def _status(state: HostState) -> dict[str, Any] | None:
    data = state.section("defender")
    if data is None or service(state, "WinDefend") is None:
        return None
    enabled = bool(data.get("antivirus_enabled"))
    return {
        "am_service_enabled": data.get("am_service_enabled"),
        "antivirus_enabled": data.get("antivirus_enabled"),
        "realtime": data.get("realtime_enabled"),
        "running_mode": state.sim.get("am_running_mode")
        or ("Normal" if enabled else "Not running"),
        "signature_age_days": data.get("signature_age_days"),
        "signatures_out_of_date": _out_of_date(state),
        "tamper_protected": data.get("tamper_protected"),
    }


# ------------------------------------------------------------------------ role scripts
def probe(state: HostState, script: Script) -> None:
    """Read-only: Security Center's products (clients), third-party services present, Defender's
    service, status and policies."""
    script.changed = False
    products: list[dict[str, Any]] = []
    av = state.section("antivirus")
    if workstation(state) and av is not None and av.get("source") == "SecurityCenter2":
        products = [
            {"name": p.get("name"), "product_state": p.get("product_state")}
            for p in av.get("products") or []
            if isinstance(p, dict)
        ]
    wanted = script.parameters.get("ThirdPartyServices") or []
    if isinstance(wanted, str):
        wanted = [wanted]
    present = [s["name"] for s in (service(state, str(n)) for n in wanted) if s is not None]
    windefend = service(state, "WinDefend")
    script.result = {
        "workstation": workstation(state),
        "security_center": products,
        "third_party": [
            p["name"] for p in products if not DEFENDER_NAME.match(str(p.get("name", "")))
        ],
        "third_party_services": present,
        "defender": {
            "installed": windefend is not None,
            "service_state": None if windefend is None else str(windefend["state"]).lower(),
            "service_start_type": None
            if windefend is None
            else _START_TYPES.get(str(windefend["start_mode"]).lower(), "manual"),
            "status": _status(state),
        },
        "policy": {
            "disable_antispyware": _policy(state, POLICY_KEY, "disableantispyware"),
            "disable_realtime_monitoring": _policy(state, RTP_KEY, "disablerealtimemonitoring"),
        },
    }


def start_service(state: HostState, script: Script) -> None:
    """Start-Service WinDefend when it is not running (never touches its start type)."""
    script.changed = False
    svc = service(state, "WinDefend")
    if svc is None:
        raise ScriptError("Microsoft Defender Antivirus is not installed (no WinDefend service)")
    if str(svc["state"]).lower() != "running":
        if str(svc["start_mode"]).lower() == "disabled":
            raise ScriptError(
                "The WinDefend service is disabled and its configuration is protected: Defender "
                "was switched off by another antivirus or by tampering; repair it on the host"
            )
        if script.should_process():
            preferences(state)  # read before the change: it is derived from the recording
            set_service(state, "WinDefend", {"state": "Running"})
            recompute(state)
        script.changed = True
    after = service(state, "WinDefend") or {}
    script.result = {"service_state": str(after.get("state", "")).lower()}


def realtime(state: HostState, script: Script) -> None:
    """Set-MpPreference -DisableRealtimeMonitoring $false when the preference is set, then
    require real-time protection on (a policy or tamper protection can keep it off)."""
    script.changed = False
    if state.section("defender") is None or not _running(state):
        raise ScriptError(
            "Get-MpPreference : Operation failed with the following error: 0x800106ba "
            "(the Microsoft Defender Antivirus service is not running)"
        )
    prefs = preferences(state)
    if prefs["DisableRealtimeMonitoring"]:
        if script.should_process():
            prefs["DisableRealtimeMonitoring"] = False
            recompute(state)
        script.changed = True
    on = bool((state.section("defender") or {}).get("realtime_enabled"))
    if not script.what_if and not on:
        raise ScriptError(
            "Real-time protection is still off after Set-MpPreference: a policy "
            "(DisableRealtimeMonitoring) or another antivirus keeps it off"
        )
    script.result = {"realtime": on or script.what_if}


def signatures(state: HostState, script: Script) -> None:
    """Update-MpSignature when the signatures are older than MaxAgeDays or Defender says they
    are out of date; then require them current."""
    script.changed = False
    data = state.section("defender")
    if data is None or not _enabled(state):
        raise ScriptError(
            "Update-MpSignature : the Microsoft Defender Antivirus service is not running"
        )
    max_age = int(script.parameters.get("MaxAgeDays", SIGNATURE_DUE_DAYS))
    age = data.get("signature_age_days")
    before = {"age_days": age, "last_updated": data.get("signature_last_updated")}
    stale = (isinstance(age, int) and age > max_age) or _out_of_date(state)
    if stale:
        if script.should_process():
            refresh_signatures(state)
        script.changed = True
    after = state.section("defender") or {}
    script.result = {
        "before": before,
        "after": {
            "age_days": after.get("signature_age_days"),
            "last_updated": after.get("signature_last_updated"),
        },
    }


SCRIPTS: dict[str, Callable[[HostState, Script], None]] = {
    "probe": probe,
    "service": start_service,
    "realtime": realtime,
    "signatures": signatures,
}
