"""MikroTik RouterOS v6/v7 (netmiko `mikrotik_routeros`): `print` commands and the export."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from verifier.collectors.parsers.build import (
    Community,
    Facts,
    LocalUser,
    accounts_facts,
    config_facts,
    has_default_name,
    os_facts,
    put,
    snmp_facts,
    unique,
)
from verifier.collectors.parsers.probes import ParseError, Probes, cell, ntc_parse
from verifier.collectors.parsers.redact import redact
from verifier.collectors.parsers.routeros_print import Row, parse_detail, parse_table
from verifier.collectors.parsers.volatile import strip_volatile

PLATFORM = "mikrotik_routeros"
RESOURCE = "/system resource print"
ROUTERBOARD = "/system routerboard print"
IDENTITY = "/system identity print"
SERVICES = "/ip service print"
COMMUNITIES = "/snmp community print"
NTP = "/system ntp client print"
LOGGING = "/system logging action print"
USERS = "/user print"
NOTE = "/system note print"
EXPORT = "/export hide-sensitive"
COMMANDS = (
    RESOURCE,
    ROUTERBOARD,
    IDENTITY,
    SERVICES,
    COMMUNITIES,
    NTP,
    LOGGING,
    USERS,
    NOTE,
    EXPORT,
)

DEFAULT_ADMIN_NAMES = ("admin",)
ADMIN_GROUP = "full"
# RouterOS stores user passwords hashed from 6.43; before, they could be read back.
HASHED_PASSWORDS_SINCE = (6, 43)
UNSET_ADDRESSES = frozenset({"", "0.0.0.0", "::"})

_UPTIME = re.compile(r"(\d+)([wdhms])")
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_uptime(text: str) -> int:
    """`6w5d11h55m45s`; old releases end with a clock: `1w2d03:04:05`."""
    text = text.strip()
    total = 0
    clock = re.search(r"(\d+):(\d\d):(\d\d)$", text)
    if clock:
        total += int(clock[1]) * 3600 + int(clock[2]) * 60 + int(clock[3])
        text = text[: clock.start()]
    parts = _UPTIME.findall(text)
    if not parts and not clock:
        raise ParseError(f"no uptime in {text!r}")
    return total + sum(int(n) * _UNITS[u] for n, u in parts)


def parse_resource(text: str) -> Facts:
    # Own parser: the ntc template rejects the v7 `build-time: 2025-03-11 11:59:04` format.
    detail = parse_detail(text)
    version = detail.get("version", "").split()
    if not version:
        raise ParseError("no 'version:' line")
    out: Facts = {"version": version[0]}
    if detail.get("uptime"):
        out["uptime_seconds"] = parse_uptime(detail["uptime"])
    if detail.get("board-name"):
        out["board"] = detail["board-name"]
    return out


def parse_routerboard(text: str) -> Facts:
    rows = ntc_parse(PLATFORM, ROUTERBOARD, text)
    row = rows[0] if rows else {}
    routerboard = cell(row, "routerboard")
    if not routerboard:
        raise ParseError("no 'routerboard:' line")
    out: Facts = {}
    if routerboard == "yes":
        put(out, "model", cell(row, "hardware_model"))
        put(out, "serial", cell(row, "serial_number"))
    return out


def parse_identity(text: str) -> str:
    rows = ntc_parse(PLATFORM, IDENTITY, text)
    name = cell(rows[0], "name") if rows else None
    if not name:
        raise ParseError("no 'name:' line")
    return name


def _enabled(row: Row) -> bool:
    return "X" not in row.flags


def parse_services(text: str) -> Facts:
    services = {row.values.get("NAME", ""): row for row in parse_table(text)}
    if not services:
        raise ParseError("no services listed")

    def on(name: str) -> bool:
        row = services.get(name)
        return row is not None and _enabled(row) and "I" not in row.flags

    return {
        "telnet_enabled": on("telnet"),
        "ssh_enabled": on("ssh"),
        "ssh_version": "2",  # RouterOS speaks SSH v2 only
        "http_enabled": on("www"),
        "https_enabled": on("www-ssl"),
    }


def parse_communities(text: str) -> list[Community]:
    """Enabled communities usable without v3 security (`security=none`)."""
    out = []
    for row in parse_table(text):
        if not _enabled(row) or row.values.get("SECURITY", "none") != "none":
            continue
        access = "rw" if row.values.get("WRITE-ACCESS") == "yes" else "ro"
        out.append(Community(row.values.get("NAME", ""), access))
    return out


def parse_ntp(text: str) -> list[str]:
    detail = parse_detail(text)
    if "enabled" not in detail:
        raise ParseError("no 'enabled:' line")
    if detail["enabled"] != "yes":
        return []
    servers: list[str] = []
    if "servers" in detail:  # v7
        servers += detail["servers"].split(",")
    for key in ("primary-ntp", "secondary-ntp"):  # v6
        servers.append(detail.get(key, ""))
    servers += detail.get("server-dns-names", "").split(",")
    return unique(s.strip() for s in servers if s.strip() not in UNSET_ADDRESSES)


def parse_logging_actions(text: str) -> list[str]:
    """Remote (syslog) logging actions that have a target address."""
    remote = [
        row.values.get("REMOTE", "")
        for row in parse_table(text)
        if row.values.get("TARGET") == "remote"
    ]
    return unique(r for r in remote if r not in UNSET_ADDRESSES)


def parse_users(text: str) -> list[LocalUser]:
    """Enabled local users; a disabled account cannot log in."""
    return [
        LocalUser(
            row.values.get("NAME", ""),
            row.values.get("GROUP", ""),
            row.values.get("GROUP") == ADMIN_GROUP,
        )
        for row in parse_table(text)
        if _enabled(row) and row.values.get("NAME")
    ]


def parse_note(text: str) -> bool:
    detail = parse_detail(text)
    if "note" not in detail and "show-at-login" not in detail:
        raise ParseError("no 'note:' line")
    shown = "yes" in (detail.get("show-at-login"), detail.get("show-at-cli-login"))
    return shown and bool(detail.get("note", "").strip())


_EXPORT_HEADER = re.compile(r"^# .* by RouterOS ", re.MULTILINE)


def parse_export(text: str) -> Facts:
    if not _EXPORT_HEADER.search(text) or not re.search(r"^/", text, re.MULTILINE):
        raise ParseError("no '# ... by RouterOS' header or menu lines: not an export")
    redacted = redact(PLATFORM, text)  # also joins the export's continuation lines
    out: Facts = {"config": config_facts(strip_volatile(PLATFORM, redacted))}
    # The SNMP agent is off by default; a compact export shows `/snmp set enabled=yes` when on.
    section = ""
    enabled = False
    for line in redacted.splitlines():
        if line.startswith("/"):
            section = line.strip()
        elif section == "/snmp" and re.search(r"\benabled=yes\b", line):
            enabled = True
    out["snmp_enabled"] = enabled
    return out


def _version_tuple(version: str | None) -> tuple[int, ...] | None:
    numbers = re.findall(r"\d+", version or "")
    return tuple(int(n) for n in numbers[:2]) if len(numbers) >= 2 else None


def parse(outputs: Mapping[str, str], today: date) -> tuple[Facts, dict[str, str]]:
    probes = Probes(outputs)
    resource = probes.run(RESOURCE, parse_resource) or {}
    facts: Facts = {
        "os": os_facts("mikrotik", "routeros", resource.get("version"), today),
        "hardware": {"vendor": "MikroTik"},
    }
    put(facts, "uptime_seconds", resource.get("uptime_seconds"))
    board = probes.run(ROUTERBOARD, parse_routerboard) or {}
    put(facts, "hardware.model", board.get("model") or resource.get("board"))
    put(facts, "hardware.serial", board.get("serial"))
    put(facts, "hostname", probes.run(IDENTITY, parse_identity))
    for key, value in (probes.run(SERVICES, parse_services) or {}).items():
        put(facts, f"mgmt.{key}", value)
    put(facts, "mgmt.login_banner", probes.run(NOTE, parse_note))
    communities = probes.run(COMMUNITIES, parse_communities)
    export = probes.run(EXPORT, parse_export)
    if communities is not None:
        facts["snmp"] = snmp_facts(export["snmp_enabled"] if export else None, communities)
    put(facts, "ntp.servers", probes.run(NTP, parse_ntp))
    put(facts, "logging.syslog_servers", probes.run(LOGGING, parse_logging_actions))
    users = probes.run(USERS, parse_users)
    version = _version_tuple(resource.get("version"))
    hashed = version >= HASHED_PASSWORDS_SINCE if version else None
    if users is not None:
        facts["accounts"] = accounts_facts(
            users, hashed, has_default_name(users, DEFAULT_ADMIN_NAMES)
        )
    else:
        put(facts, "accounts.password_encryption", hashed)
    if export:
        facts["config"] = export["config"]
    # RouterOS applies and saves every change at once.
    put(facts, "config.unsaved", False)
    return facts, probes.errors
