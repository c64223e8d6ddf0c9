"""Building the network fact document: dotted paths, and the shared os/snmp/accounts/config
sub-documents every platform fills the same way (docs/network-collection.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from verifier.collectors.parsers.markers import is_default_community
from verifier.facts.network_eol import lookup_network_eol

Facts = dict[str, Any]


def put(facts: Facts, path: str, value: Any) -> None:
    """Set a dotted path, creating parents; None stays absent."""
    if value is None:
        return
    *parents, leaf = path.split(".")
    node = facts
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def merge(target: Facts, source: Facts) -> None:
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value


def os_facts(vendor: str, name: str | None, version: str | None, today: date) -> Facts:
    """os.* facts; name and version stay absent when the version command failed."""
    out: Facts = {"family": "network", "vendor": vendor}
    if name:
        out["name"] = name
    if name and version:
        out["version"] = version
        info = lookup_network_eol(name, version, today)
        # A train the dataset does not know stays absent: its checks are unknown, not failed.
        if info.status != "unknown":
            eol: Facts = {"status": info.status, "source": info.source}
            if info.date is not None:
                eol["date"] = info.date.isoformat()
            out["eol"] = eol
    return out


def config_facts(redacted: str) -> Facts:
    """Evidence for drift: the redacted running configuration and its hash."""
    return {
        "running_redacted": redacted,
        "sha256": hashlib.sha256(redacted.encode("utf-8")).hexdigest(),
    }


@dataclass(frozen=True)
class Community:
    """One SNMP v1/v2c community. The string itself never leaves the parser."""

    name: str | None  # None when the device masks it (ASA prints *****)
    access: str  # "ro" or "rw"


def snmp_facts(enabled: bool | None, communities: Sequence[Community]) -> Facts:
    out: Facts = {}
    put(out, "enabled", enabled)
    entries: list[Facts] = []
    for index, community in enumerate(communities, start=1):
        entry: Facts = {"index": index, "access": community.access}
        if community.name is not None:
            entry["default_name"] = is_default_community(community.name)
        entries.append(entry)
    out["communities"] = entries
    flags = [e.get("default_name") for e in entries]
    if any(flag is True for flag in flags):
        out["default_community"] = True
    elif all(flag is False for flag in flags):
        out["default_community"] = False
    # else: a masked community could be `public`: unknown.
    if enabled is not None:
        out["v3_only"] = enabled and not communities
    return out


@dataclass(frozen=True)
class LocalUser:
    name: str
    privilege: str
    admin: bool


def accounts_facts(
    users: Sequence[LocalUser] | None,
    password_encryption: bool | None,
    default_admin: bool | None,
) -> Facts:
    out: Facts = {}
    if users is not None:
        out["local_users"] = [
            {"name": u.name, "privilege": u.privilege, "admin": u.admin} for u in users
        ]
    put(out, "password_encryption", password_encryption)
    put(out, "default_admin", default_admin)
    return out


def has_default_name(users: Iterable[LocalUser], names: Iterable[str]) -> bool:
    wanted = {n.lower() for n in names}
    return any(u.name.lower() in wanted for u in users)


def unique(items: Iterable[str]) -> list[str]:
    """Keep first occurrences, in order."""
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
