"""Juniper Junos (netmiko `juniper_junos`): show version, show chassis hardware,
show system uptime, show configuration | display set."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from datetime import date, datetime

from verifier.collectors.parsers.build import (
    Community,
    Facts,
    LocalUser,
    accounts_facts,
    config_facts,
    merge,
    os_facts,
    put,
    snmp_facts,
    unique,
)
from verifier.collectors.parsers.markers import MARKERS
from verifier.collectors.parsers.probes import ParseError, Probes, cell, ntc_parse
from verifier.collectors.parsers.redact import redact
from verifier.collectors.parsers.volatile import strip_volatile

PLATFORM = "juniper_junos"
SHOW_VERSION = "show version"
SHOW_HARDWARE = "show chassis hardware"
SHOW_UPTIME = "show system uptime"
SHOW_CONFIG = "show configuration | display set"
COMMANDS = (SHOW_VERSION, SHOW_HARDWARE, SHOW_UPTIME, SHOW_CONFIG)

ADMIN_CLASS = "super-user"
HASH_PREFIXES = ("$1$", "$5$", "$6$", "$sha1$", "$sha256$", "$sha512$")

_MEMBER_HEADER = re.compile(r"^(fpc|re|node|member)\d+:\s*$")


def first_member(text: str) -> str:
    """Virtual-chassis, dual-RE and cluster outputs repeat per member (`fpc0:` and a dashed
    rule, then the next member); keep the first member and drop prompt hints like {master:0}."""
    lines: list[str] = []
    headers = 0
    for line in text.replace("\r", "").split("\n"):
        if _MEMBER_HEADER.match(line.strip()):
            headers += 1
            if headers > 1:
                break
            continue
        if re.match(r"^-{10,}\s*$", line) or re.match(r"^\{\S+\}\s*$", line.strip()):
            continue
        lines.append(line)
    return "\n".join(lines)


_RELEASE = re.compile(r"^JUNOS (?:Software Release|Base OS boot|EX\s+Software Suite)\s*\[(\S+)\]")


def parse_show_version(text: str) -> Facts:
    text = first_member(text)
    rows = ntc_parse(PLATFORM, SHOW_VERSION, text)
    row = rows[0] if rows else {}
    version = cell(row, "junos_version")
    if not version:
        found = next((m for m in map(_RELEASE.match, text.splitlines()) if m), None)
        version = found[1] if found else ""
    if not version:
        raise ParseError("no 'Junos:' or 'JUNOS Software Release' line")
    out: Facts = {"version": version}
    put(out, "hostname", cell(row, "hostname"))
    put(out, "model", cell(row, "model"))
    return out


def parse_chassis_hardware(text: str) -> Facts:
    """Serial and description of the Chassis row. Own parser: the ntc template rejects rows it
    does not know (SRX branch inventories: `Mainboard`, `FPC 0 ... FEB` without part numbers),
    and one row is all we need."""
    if "Hardware inventory:" not in text:
        raise ParseError("no 'Hardware inventory:' header")
    for line in text.splitlines():
        words = line.split()
        if words[:1] == ["Chassis"]:
            out: Facts = {}
            if len(words) >= 3:
                out["serial"] = words[1]
                out["model"] = " ".join(words[2:])
            elif len(words) == 2:
                out["model"] = words[1]
            return out
    raise ParseError("no 'Chassis' row in the inventory")


def parse_uptime(text: str) -> int:
    rows = ntc_parse(PLATFORM, SHOW_UPTIME, first_member(text))
    row = rows[0] if rows else {}

    def stamp(prefix: str) -> datetime:
        parts = [cell(row, f"{prefix}{k}") or "" for k in ("year", "month", "day", "time")]
        if not all(parts):
            raise ParseError(f"no '{prefix or 'current '}time' in the output")
        return datetime.strptime(" ".join(parts), "%Y %m %d %H:%M:%S")

    # Both lines are printed in the device's own time zone.
    seconds = int((stamp("") - stamp("boot_")).total_seconds())
    if seconds < 0:
        raise ParseError("system booted after the current time")
    return seconds


def _statements(text: str) -> list[list[str]]:
    """`set` statements as word lists (without `set`), minus what `deactivate` lines switch off."""
    out: list[list[str]] = []
    inactive: list[list[str]] = []
    for number, line in enumerate(text.replace("\r", "").split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "{")):
            continue
        if not stripped.startswith(("set ", "deactivate ", "delete ")):
            # Name the line, never echo it: a stray line may carry a secret.
            raise ParseError(f"line {number}: not a 'display set' statement")
        try:
            words = shlex.split(stripped)
        except ValueError as exc:
            raise ParseError(f"line {number}: unbalanced quotes, output truncated") from exc
        if words[0] == "set":
            out.append(words[1:])
        elif words[0] == "deactivate":
            inactive.append(words[1:])
    if not out:
        raise ParseError("no 'set' lines")
    return [s for s in out if not any(s[: len(d)] == d for d in inactive)]


def _with(statements: list[list[str]], *prefix: str) -> list[list[str]]:
    """Statements starting with `prefix`, with the prefix removed."""
    size = len(prefix)
    return [s[size:] for s in statements if tuple(s[:size]) == prefix]


def _ssh_version(statements: list[list[str]]) -> str:
    versions = {
        s[1]
        for s in _with(statements, "system", "services", "ssh")
        if s[:1] == ["protocol-version"] and len(s) > 1
    }
    if "v1" in versions:
        return "1.99" if "v2" in versions else "1"
    return "2"  # Junos default: SSH v2 only


def _users(statements: list[list[str]]) -> dict[str, str]:
    """login user -> class, in configuration order."""
    users: dict[str, str] = {}
    for s in _with(statements, "system", "login", "user"):
        if len(s) >= 3 and s[1] == "class":
            users[s[0]] = s[2]
        elif s:
            users.setdefault(s[0], "")
    return users


def _idle_timeout(statements: list[list[str]], users: dict[str, str]) -> int | None:
    """Worst idle timeout of the classes local users log in with (0 = none; predefined
    classes never time out)."""
    timeouts: dict[str, int] = {}
    for s in _with(statements, "system", "login", "class"):
        if len(s) >= 3 and s[1] == "idle-timeout" and s[2].isdigit():
            timeouts[s[0]] = int(s[2])
    if not users:
        return None
    values = [timeouts.get(cls, 0) for cls in users.values()]
    return 0 if 0 in values else max(values)


def parse_config(text: str) -> Facts:
    statements = _statements(text)
    out: Facts = {}
    host = _with(statements, "system", "host-name") or _with(
        statements, "groups", "re0", "system", "host-name"
    )
    put(out, "hostname", host[0][0] if host and host[0] else None)
    services = _with(statements, "system", "services")
    put(out, "mgmt.telnet_enabled", any(s[:1] == ["telnet"] for s in services))
    put(out, "mgmt.ssh_enabled", any(s[:1] == ["ssh"] for s in services))
    put(out, "mgmt.ssh_version", _ssh_version(statements))
    web = [s[1] for s in services if s[:1] == ["web-management"] and len(s) > 1]
    put(out, "mgmt.http_enabled", "http" in web)
    put(out, "mgmt.https_enabled", "https" in web)
    users = _users(statements)
    put(out, "mgmt.idle_timeout_minutes", _idle_timeout(statements, users))
    put(out, "mgmt.login_banner", bool(_with(statements, "system", "login", "message")))

    snmp = _with(statements, "snmp")
    access: dict[str, str] = {}
    for s in snmp:
        if s[:1] == ["community"] and len(s) >= 2:
            access.setdefault(s[1], "ro")
            if s[2:4] == ["authorization", "read-write"]:
                access[s[1]] = "rw"
    communities = [Community(name, mode) for name, mode in access.items()]
    out["snmp"] = snmp_facts(bool(snmp), communities)
    ntp = [s[1] for s in _with(statements, "system", "ntp") if s[:1] == ["server"] and len(s) > 1]
    put(out, "ntp.servers", unique(ntp))
    syslog = [
        s[1]
        for s in _with(statements, "system", "syslog")
        if s[:1] == ["host"] and len(s) > 1 and s[1] != "other-routing-engine"
    ]
    put(out, "logging.syslog_servers", unique(syslog))

    full_classes = {
        s[0]
        for s in _with(statements, "system", "login", "class")
        if s[1:3] == ["permissions", "all"]
    }
    local = [
        LocalUser(name, cls, cls == ADMIN_CLASS or cls in full_classes)
        for name, cls in users.items()
    ]
    hashes = [s[-1] for s in statements if len(s) >= 2 and s[-2] == "encrypted-password"]
    # A capture stores the hash redacted; Junos only ever shows hashes here.
    encrypted = all(h.startswith(HASH_PREFIXES) or h in MARKERS for h in hashes)
    # The vendor's default admin is root; it is a risk when it has no password set.
    root_without_password = not _with(statements, "system", "root-authentication")
    out["accounts"] = accounts_facts(local, encrypted, root_without_password)
    out["config"] = config_facts(strip_volatile(PLATFORM, redact(PLATFORM, text)))
    # Junos commits are persistent: nothing runs that is not saved.
    out["config"]["unsaved"] = False
    return out


def parse(outputs: Mapping[str, str], today: date) -> tuple[Facts, dict[str, str]]:
    probes = Probes(outputs)
    version = probes.run(SHOW_VERSION, parse_show_version) or {}
    facts: Facts = {
        "os": os_facts("juniper", "junos", version.get("version"), today),
        "hardware": {"vendor": "Juniper Networks"},
    }
    hardware = probes.run(SHOW_HARDWARE, parse_chassis_hardware) or {}
    put(facts, "hardware.model", hardware.get("model") or version.get("model"))
    put(facts, "hardware.serial", hardware.get("serial"))
    put(facts, "uptime_seconds", probes.run(SHOW_UPTIME, parse_uptime))
    config = probes.run(SHOW_CONFIG, parse_config)
    if config:
        merge(facts, config)
    put(facts, "hostname", version.get("hostname"))  # the running name wins over the config
    return facts, probes.errors
