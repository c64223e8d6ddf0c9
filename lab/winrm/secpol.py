"""Local account policy on a simulated host: ``community.windows.win_security_policy`` (section
``System Access``) and the ``password_policy`` role's probe script.

The policy lives where the collection reads it, the ``net accounts`` lines of
``password_policy``; ``SecEdit.exe /export`` shows the same values under the names it uses:

| net accounts | secedit ``[System Access]`` |
|---|---|
| Minimum password age (days) | MinimumPasswordAge |
| Maximum password age (days) ("Unlimited" = -1) | MaximumPasswordAge |
| Minimum password length | MinimumPasswordLength |
| Length of password history maintained ("None" = 0) | PasswordHistorySize |
| Lockout threshold ("Never" = 0) | LockoutBadCount |
| Lockout duration (minutes) | LockoutDuration (exported only with a threshold) |
| Lockout observation window (minutes) | ResetLockoutCount (exported only with a threshold) |

The module (a legacy ``Ansible.ModuleUtils.Legacy`` module: no ``invocation`` in its result)
exports, compares with ``-cne``, imports the changed ini with ``secedit /configure`` unless in
check mode, then exports again and fails when the value did not stick ("Failed to change the
value for key ..., the value is still ...") or the key is not exported ("... is not a valid
key, cannot set this value"). secedit itself reports no error for a value the account database
refuses; the lab refuses what Windows documents as invalid: a minimum length above 14 (without
the 2004+ "relax" policy), a threshold above 999, an observation window longer than the lockout
duration. Other keys (complexity, account names ...) are not simulated and fail loudly.
``import_log`` (the secedit log of the import) is a one-line placeholder, not a real log.
"""

from __future__ import annotations

import re
from typing import Any

from lab.winrm.commands import ModuleCall
from lab.winrm.hoststate import HostState
from lab.winrm.sim import ModuleFailure, Script, Unsupported, check_mode, diff_wanted

SECTION = "System Access"
# net accounts label (without the "(days)"/"(minutes)" part) -> secedit key
LABELS = {
    "minimum password age": "MinimumPasswordAge",
    "maximum password age": "MaximumPasswordAge",
    "minimum password length": "MinimumPasswordLength",
    "length of password history maintained": "PasswordHistorySize",
    "lockout threshold": "LockoutBadCount",
    "lockout duration": "LockoutDuration",
    "lockout observation window": "ResetLockoutCount",
}
_WORDS = {
    "MaximumPasswordAge": ("Unlimited", -1),
    "PasswordHistorySize": ("None", 0),
    "LockoutBadCount": ("Never", 0),
    "LockoutDuration": ("Never", -1),
}
_LINE = re.compile(r"^(?P<label>[^:]+?)(?P<sep>:\s+)(?P<value>\S.*?)\s*$")
_LOCKOUT_ONLY = ("LockoutDuration", "ResetLockoutCount")


def _label_key(label: str) -> str | None:
    return LABELS.get(re.sub(r"\s*\(.*?\)\s*", "", label).strip().lower())


def _lines(state: HostState) -> list[str]:
    data = state.section("password_policy")
    if data is None or not isinstance(data.get("net_accounts"), list):
        raise Unsupported("lab WinRM endpoint: this profile recorded no net accounts output")
    return [str(x) for x in data["net_accounts"]]


def account_policy(state: HostState) -> dict[str, int]:
    """Every value the account database holds (net accounts), by secedit key."""
    out: dict[str, int] = {}
    for line in _lines(state):
        m = _LINE.match(line)
        key = None if m is None else _label_key(m["label"])
        if m is None or key is None:
            continue
        word = _WORDS.get(key)
        value = m["value"]
        if word is not None and value.lower() == word[0].lower():
            out[key] = word[1]
        elif re.fullmatch(r"-?\d+", value):
            out[key] = int(value)
    return out


def export(state: HostState) -> dict[str, int]:
    """``[System Access]`` as ``secedit /export`` shows it (the keys the lab knows)."""
    values = account_policy(state)
    if values.get("LockoutBadCount", 0) == 0:
        for key in _LOCKOUT_ONLY:
            values.pop(key, None)
    return values


def _store(state: HostState, key: str, value: int) -> None:
    data = state.section("password_policy") or {}
    lines = []
    for line in _lines(state):
        m = _LINE.match(line)
        if m is not None and _label_key(m["label"]) == key:
            word = _WORDS.get(key)
            shown = word[0] if word is not None and value == word[1] else str(value)
            line = f"{m['label']}{m['sep']}{shown}"
        lines.append(line)
    data["net_accounts"] = lines
    state.update("password_policy", data)


def _accepted(values: dict[str, int], key: str, value: int) -> bool:
    """Whether the account database takes ``key`` = ``value`` next to the other values."""
    new = {**values, key: value}
    duration = new.get("LockoutDuration", -1)
    window = new.get("ResetLockoutCount", 1)
    limits = {
        "MinimumPasswordLength": 0 <= value <= 14,
        "LockoutBadCount": 0 <= value <= 999,
        "LockoutDuration": value == -1 or 0 <= value <= 99999,
        "ResetLockoutCount": 1 <= value <= 99999,
        "PasswordHistorySize": 0 <= value <= 24,
        "MinimumPasswordAge": 0 <= value <= 998,
        "MaximumPasswordAge": value == -1 or 0 <= value <= 999,
    }
    if not limits.get(key, False):
        return False
    return duration <= 0 or window <= duration


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def win_security_policy(state: HostState, call: ModuleCall) -> dict[str, Any]:
    p = call.params
    section, key, value = p.get("section"), p.get("key"), p.get("value")
    result: dict[str, Any] = {"changed": False, "section": section, "key": key, "value": value}
    for name, given in (("section", section), ("key", key), ("value", value)):
        if given is None or given == "":
            raise ModuleFailure(
                {
                    **result,
                    "failed": True,
                    "msg": f"Get-AnsibleParam: Missing required argument: {name}",
                }
            )
    extra = sorted(k for k in p if k not in ("section", "key", "value"))
    if extra:
        raise Unsupported(f"lab WinRM endpoint: win_security_policy option(s) {extra}")
    if section != SECTION:
        raise Unsupported(f"lab WinRM endpoint: win_security_policy section {section!r}")
    known = set(LABELS.values())
    if key not in known:
        raise Unsupported(f"lab WinRM endpoint: win_security_policy key {key!r} is not simulated")
    wanted = _as_int(value)
    if wanted is None:
        raise Unsupported(f"lab WinRM endpoint: win_security_policy value {value!r} for {key}")
    if diff_wanted(call):
        result["diff"] = {}
    current = export(state)
    if key in current and current[key] == wanted:
        return result
    if diff_wanted(call):
        old = f"-{key} = {current[key]}\n" if key in current else ""
        result["diff"]["prepared"] = f"[{SECTION}]\n{old}+{key} = {value}"
    result["changed"] = True
    if check_mode(call):
        return result
    result["import_log"] = "Task is completed successfully."
    if _accepted(account_policy(state), key, wanted):
        _store(state, key, wanted)
    after = export(state)
    if key not in after:
        msg = f"The key '{key}' in section '{SECTION}' is not a valid key, cannot set this value"
        raise ModuleFailure({**result, "failed": True, "msg": msg})
    if after[key] != wanted:
        msg = (
            f"Failed to change the value for key '{key}' in section '{SECTION}', the value is "
            f"still {after[key]}"
        )
        raise ModuleFailure({**result, "failed": True, "msg": msg})
    return result


# ------------------------------------------------------------------------ role script
def probe(state: HostState, script: Script) -> None:
    """The ``password_policy`` role's probe: domain membership (Win32_ComputerSystem) and the
    account database's values (ADSI ``WinNT://COMPUTER``), read-only."""
    script.changed = False
    cs = state.section("computer") or {}
    values = account_policy(state)
    duration = values.get("LockoutDuration")
    script.result = {
        "part_of_domain": bool(cs.get("part_of_domain")),
        "domain": cs.get("domain"),
        "domain_role": cs.get("domain_role"),
        "min_length": values.get("MinimumPasswordLength"),
        "lockout_threshold": values.get("LockoutBadCount"),
        "lockout_duration_minutes": duration,
        "lockout_window_minutes": values.get("ResetLockoutCount"),
    }


SCRIPTS = {"probe": probe}
