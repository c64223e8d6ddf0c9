"""Cisco IOS and IOS XE (netmiko `cisco_ios`): show version, show running-config, show ip ssh."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime

from verifier.collectors.parsers.build import (
    Community,
    Facts,
    LocalUser,
    accounts_facts,
    config_facts,
    has_default_name,
    merge,
    os_facts,
    put,
    snmp_facts,
    unique,
)
from verifier.collectors.parsers.ciscoconf import (
    REVERSIBLE_TYPES,
    Block,
    CiscoConfig,
    ends_with,
    parse_config,
    password_type,
    word_after,
)
from verifier.collectors.parsers.probes import ParseError, Probes, cell, ntc_parse
from verifier.collectors.parsers.redact import redact
from verifier.collectors.parsers.values import looks_like_address, parse_duration
from verifier.collectors.parsers.volatile import strip_volatile

PLATFORM = "cisco_ios"
SHOW_VERSION = "show version"
SHOW_RUN = "show running-config"
SHOW_IP_SSH = "show ip ssh"
COMMANDS = (SHOW_VERSION, SHOW_RUN, SHOW_IP_SSH)

# Account names of Cisco factory and quick-start configurations.
DEFAULT_ADMIN_NAMES = ("cisco", "admin")
# `exec-timeout` when a vty line does not set one: 10 minutes.
DEFAULT_EXEC_TIMEOUT = 10


def parse_show_version(text: str) -> Facts:
    rows = ntc_parse(PLATFORM, SHOW_VERSION, text)
    row = rows[0] if rows else {}
    version = cell(row, "version")
    if not version:
        raise ParseError("no 'Cisco IOS Software ... Version' line")
    out: Facts = {}
    name = "ios-xe" if re.search(r"IOS[ -]XE", text) else "ios"
    put(out, "os_name", name)
    put(out, "version", version)
    put(out, "hostname", cell(row, "hostname"))
    uptime = cell(row, "uptime")
    put(out, "uptime_seconds", parse_duration(uptime) if uptime else None)
    put(out, "model", cell(row, "hardware"))
    put(out, "serial", cell(row, "serial"))
    return out


_SSH = re.compile(r"^SSH (Enabled|Disabled) - version (\d+(?:\.\d+)?)", re.MULTILINE)
SSH_VERSIONS = {"2.0": "2", "2": "2", "1.99": "1.99", "1.5": "1", "1.0": "1", "1": "1"}


def parse_show_ip_ssh(text: str) -> Facts:
    found = _SSH.search(text)
    if not found or found[2] not in SSH_VERSIONS:
        raise ParseError("no 'SSH Enabled|Disabled - version' line")
    return {"ssh_enabled": found[1] == "Enabled", "ssh_version": SSH_VERSIONS[found[2]]}


_STAMP = re.compile(r"at (\d\d:\d\d:\d\d)(?:\.\d+)? \S+ \w{3} (\w{3}) +(\d+) (\d{4})")


def _stamp(line: str) -> datetime | None:
    found = _STAMP.search(line)
    if not found:
        return None
    return datetime.strptime(f"{found[4]} {found[2]} {found[3]} {found[1]}", "%Y %b %d %H:%M:%S")


def unsaved_from_header(text: str) -> bool | None:
    """IOS header comments: a change later than the last NVRAM write is unsaved work."""
    changed = saved = None
    for line in text.splitlines()[:15]:
        if line.startswith("! No configuration change since last restart"):
            return False
        if line.startswith("! Last configuration change at"):
            changed = _stamp(line)
        elif line.startswith("! NVRAM config last updated at"):
            saved = _stamp(line)
    if changed is None:
        return None
    return saved is None or changed > saved


def _major(version: str | None) -> int | None:
    found = re.match(r"(\d+)\.", version or "")
    return int(found[1]) if found else None


def _vty_lines(config: CiscoConfig) -> list[Block]:
    return [b for b in config.blocks if b.line.startswith("line vty")]


def telnet_enabled(config: CiscoConfig, version: str | None) -> bool | None:
    """A vty line whose `transport input` allows telnet (or `all`). Without `transport input`
    the default is `all` before IOS 15.0; later releases differ by platform: unknown."""
    verdicts: list[bool | None] = []
    for vty in _vty_lines(config):
        transports = [c.split()[2:] for c in vty.children if c.startswith("transport input")]
        if transports:
            allowed = transports[-1]
            verdicts.append("telnet" in allowed or "all" in allowed)
        else:
            major = _major(version)
            verdicts.append(True if major is not None and major < 15 else None)
    if any(v is True for v in verdicts):
        return True
    if any(v is None for v in verdicts):
        return None
    return False if verdicts else None


def idle_timeout(config: CiscoConfig) -> int | None:
    """Worst vty `exec-timeout` in minutes (0 = never); IOS default is 10 minutes."""
    worst: int | None = None
    for vty in _vty_lines(config):
        minutes = DEFAULT_EXEC_TIMEOUT
        for child in vty.children:
            words = child.split()
            if words[0] == "exec-timeout" and len(words) >= 2 and words[1].isdigit():
                seconds = int(words[2]) if len(words) > 2 and words[2].isdigit() else 0
                minutes = math.ceil(int(words[1]) + seconds / 60)
        if minutes == 0:
            return 0
        worst = minutes if worst is None else max(worst, minutes)
    return worst


def _users(config: CiscoConfig) -> list[LocalUser]:
    users = []
    for block in config.lines("username"):
        words = block.words
        if len(words) < 2:
            continue
        privilege = word_after(words, "privilege") or "1"
        users.append(LocalUser(words[1], privilege, privilege == "15"))
    return users


def _reversible_passwords(config: CiscoConfig) -> bool:
    """Any password stored in clear (type 0) or type 7: both can be read back."""
    candidates: list[list[str]] = [b.words for b in config.lines("username")]
    candidates += [b.words for b in config.lines("enable password")]
    for vty in config.blocks:
        if vty.line.startswith("line "):
            candidates += [c.split() for c in vty.children if c.startswith("password ")]
    return any(password_type(words, "password") in REVERSIBLE_TYPES for words in candidates)


def snmp_communities(config: CiscoConfig) -> list[Community]:
    out = []
    for block in config.lines("snmp-server community"):
        words = block.words
        if len(words) < 3:
            continue
        access = "rw" if any(w.upper() == "RW" for w in words[3:]) else "ro"
        out.append(Community(words[2], access))
    return out


def ntp_servers(config: CiscoConfig) -> list[str]:
    servers = []
    for block in config.lines("ntp server"):
        words = block.words[2:]
        if words[:1] == ["vrf"]:
            words = words[2:]
        if words[:1] in (["ip"], ["ipv6"]):
            words = words[1:]
        if words:
            servers.append(words[0])
    return unique(servers)


def syslog_servers(config: CiscoConfig) -> list[str]:
    servers = []
    for block in config.lines("logging"):
        words = block.words[1:]
        if words[:1] == ["host"]:
            words = words[1:]
            if words[:1] == ["ipv6"]:
                words = words[1:]
            if words:
                servers.append(words[0])
        elif words and looks_like_address(words[0]):
            servers.append(words[0])  # pre-12.4 syntax: `logging 10.0.0.5`
    return unique(servers)


def parse_running_config(text: str, version: str | None) -> Facts:
    if not ends_with(text, "end"):
        raise ParseError("running-config is truncated: no final 'end' line")
    if not re.search(r"^version \S+", text, re.MULTILINE):
        raise ParseError("no 'version' line: not an IOS running-config")
    config = parse_config(text)
    out: Facts = {}
    hostname = config.lines("hostname")
    put(out, "hostname", hostname[0].words[1] if hostname and len(hostname[0].words) > 1 else None)
    put(out, "config.unsaved", unsaved_from_header(text))
    put(out, "mgmt.telnet_enabled", telnet_enabled(config, version))
    put(out, "mgmt.http_enabled", config.has("ip http server"))
    put(out, "mgmt.https_enabled", config.has("ip http secure-server"))
    put(out, "mgmt.idle_timeout_minutes", idle_timeout(config))
    put(out, "mgmt.login_banner", any(k in ("motd", "login") for k in config.banners))
    # IOS: any snmp-server command starts the agent.
    enabled = bool(config.lines("snmp-server"))
    out["snmp"] = snmp_facts(enabled, snmp_communities(config))
    put(out, "ntp.servers", ntp_servers(config))
    put(out, "logging.syslog_servers", syslog_servers(config))
    users = _users(config)
    out["accounts"] = accounts_facts(
        users, not _reversible_passwords(config), has_default_name(users, DEFAULT_ADMIN_NAMES)
    )
    merge(out, {"config": config_facts(strip_volatile(PLATFORM, redact(PLATFORM, text)))})
    return out


def parse(outputs: Mapping[str, str], today: date) -> tuple[Facts, dict[str, str]]:
    probes = Probes(outputs)
    version = probes.run(SHOW_VERSION, parse_show_version) or {}
    facts: Facts = {
        "os": os_facts("cisco", version.get("os_name"), version.get("version"), today),
        "hardware": {"vendor": "Cisco"},
    }
    put(facts, "uptime_seconds", version.get("uptime_seconds"))
    put(facts, "hardware.model", version.get("model"))
    put(facts, "hardware.serial", version.get("serial"))
    running = probes.run(SHOW_RUN, lambda text: parse_running_config(text, version.get("version")))
    if running:
        merge(facts, running)
    put(facts, "hostname", version.get("hostname"))  # the running name wins over the config
    ssh = probes.run(SHOW_IP_SSH, parse_show_ip_ssh)
    if ssh:
        put(facts, "mgmt.ssh_enabled", ssh["ssh_enabled"])
        put(facts, "mgmt.ssh_version", ssh["ssh_version"])
    return facts, probes.errors
