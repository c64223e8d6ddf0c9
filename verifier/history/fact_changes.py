"""The fact changes that matter between two snapshots of one host (software, admins, OS or
firmware version, hardware serial, network configuration).

Only facts present in both snapshots are compared: a fact that could not be collected tonight
shows up as an unverifiable check, not as "everything was removed".
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from verifier.checks.facts_path import lookup
from verifier.checks.operators import MISSING

# How many diff lines of a changed network configuration a change carries.
CONFIG_DIFF_LINES = 60


@dataclass(frozen=True)
class FactChange:
    kind: str
    subject: str
    before: Any
    after: Any
    detail: str
    severity: str
    diff: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetWatch:
    """A list fact compared as a set of names: items added and removed."""

    path: str
    label: str
    added: str
    removed: str
    severity: str
    item_name: Callable[[Any], str] = str


@dataclass(frozen=True)
class ValueWatch:
    """A scalar fact: any change of value."""

    path: str
    label: str
    kind: str
    severity: str
    platforms: tuple[str, ...] = ()


def _software_name(item: Any) -> str:
    return str(item.get("name", "")) if isinstance(item, Mapping) else str(item)


SET_WATCHES = (
    SetWatch("accounts.admins", "administrator", "admin_added", "admin_removed", "high"),
    SetWatch("accounts.local_users", "local account", "user_added", "user_removed", "medium"),
    SetWatch(
        "security_agents.installed",
        "security agent",
        "security_agent_added",
        "security_agent_removed",
        "critical",
    ),
    SetWatch("backup.agents", "backup agent", "backup_agent_added", "backup_agent_removed", "high"),
    SetWatch(
        "software.installed",
        "software",
        "software_added",
        "software_removed",
        "low",
        _software_name,
    ),
)

VALUE_WATCHES = (
    ValueWatch("os.version", "OS version", "os_changed", "medium", ("linux", "windows")),
    ValueWatch("os.version", "firmware version", "firmware_changed", "medium", ("network",)),
    ValueWatch("hardware.serial", "hardware serial", "serial_changed", "high"),
)


def _names(value: Any, name: Callable[[Any], str]) -> set[str] | None:
    if not isinstance(value, list):
        return None
    return {name(item) for item in value if name(item)}


def fact_changes(
    platform: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[FactChange]:
    changes: list[FactChange] = []
    for watch in SET_WATCHES:
        old = _names(lookup(before, watch.path), watch.item_name)
        new = _names(lookup(after, watch.path), watch.item_name)
        if old is None or new is None:
            continue
        for item in sorted(new - old):
            changes.append(
                FactChange(
                    watch.added, item, None, item, f"{watch.label} added: {item}", watch.severity
                )
            )
        for item in sorted(old - new):
            changes.append(
                FactChange(
                    watch.removed,
                    item,
                    item,
                    None,
                    f"{watch.label} removed: {item}",
                    watch.severity,
                )
            )
    for value_watch in VALUE_WATCHES:
        if value_watch.platforms and platform not in value_watch.platforms:
            continue
        old_value, new_value = lookup(before, value_watch.path), lookup(after, value_watch.path)
        if MISSING in (old_value, new_value) or old_value == new_value:
            continue
        changes.append(
            FactChange(
                value_watch.kind,
                value_watch.path,
                old_value,
                new_value,
                f"{value_watch.label} changed: {old_value} -> {new_value}",
                value_watch.severity,
            )
        )
    config = _config_change(before, after)
    if config is not None:
        changes.append(config)
    return changes


def _config_change(before: Mapping[str, Any], after: Mapping[str, Any]) -> FactChange | None:
    old_hash, new_hash = lookup(before, "config.sha256"), lookup(after, "config.sha256")
    if MISSING in (old_hash, new_hash) or old_hash == new_hash:
        return None
    old_text = lookup(before, "config.running_redacted")
    new_text = lookup(after, "config.running_redacted")
    diff: list[str] = []
    if isinstance(old_text, str) and isinstance(new_text, str):
        diff = list(
            difflib.unified_diff(
                old_text.splitlines(), new_text.splitlines(), "accepted", "now", n=1, lineterm=""
            )
        )
    changed = sum(1 for line in diff[2:] if line[:1] in "+-")
    shown = tuple(diff[:CONFIG_DIFF_LINES])
    if len(diff) > CONFIG_DIFF_LINES:
        shown += (f"... {len(diff) - CONFIG_DIFF_LINES} more diff lines",)
    return FactChange(
        "config_changed",
        "config.running_redacted",
        old_hash,
        new_hash,
        f"configuration changed ({changed} lines)",
        "medium",
        shown,
    )
