"""Arista EOS (netmiko `arista_eos`): show version, show running-config,
show running-config diffs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

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
from verifier.collectors.parsers.values import parse_duration
from verifier.collectors.parsers.volatile import strip_volatile

PLATFORM = "arista_eos"
SHOW_VERSION = "show version"
SHOW_RUN = "show running-config"
SHOW_DIFFS = "show running-config diffs"
COMMANDS = (SHOW_VERSION, SHOW_RUN, SHOW_DIFFS)

DEFAULT_ADMIN_NAMES = ("admin",)
ADMIN_ROLE = "network-admin"


def parse_show_version(text: str) -> Facts:
    rows = ntc_parse(PLATFORM, SHOW_VERSION, text)
    row = rows[0] if rows else {}
    version = cell(row, "image")
    if not version:
        raise ParseError("no 'Software image version' line")
    out: Facts = {"version": version}
    put(out, "model", cell(row, "model"))
    put(out, "serial", cell(row, "serial_number"))
    uptime = cell(row, "uptime")
    put(out, "uptime_seconds", parse_duration(uptime) if uptime else None)
    return out


def _block(config: CiscoConfig, name: str) -> Block | None:
    found = config.lines(name)
    return found[-1] if found else None


def _children(block: Block | None) -> tuple[str, ...]:
    return block.children if block else ()


def management(config: CiscoConfig) -> Facts:
    out: Facts = {}
    # EOS defaults: telnet shut down, SSH on (SSH v2 only), eAPI shut down, eAPI over HTTPS.
    out["telnet_enabled"] = "no shutdown" in _children(_block(config, "management telnet"))
    ssh = _children(_block(config, "management ssh"))
    out["ssh_enabled"] = "shutdown" not in ssh
    out["ssh_version"] = "2"
    idle = [c.split()[1] for c in ssh if c.startswith("idle-timeout ") and c.split()[1].isdigit()]
    out["idle_timeout_minutes"] = int(idle[-1]) if idle else 0
    api = _children(_block(config, "management api http-commands"))
    protocols = api + _children(_block(config, "management http-server"))
    api_on = "no shutdown" in api
    out["http_enabled"] = api_on and any(c.split()[:2] == ["protocol", "http"] for c in protocols)
    out["https_enabled"] = api_on and "no protocol https" not in protocols
    out["login_banner"] = any(k in ("motd", "login") for k in config.banners)
    return out


def snmp_communities(config: CiscoConfig) -> list[Community]:
    out = []
    for block in config.lines("snmp-server community"):
        words = block.words
        if len(words) >= 3:
            access = "rw" if "rw" in (w.lower() for w in words[3:]) else "ro"
            out.append(Community(words[2], access))
    return out


def _strip_vrf(words: list[str]) -> list[str]:
    return words[2:] if words[:1] == ["vrf"] else words


def ntp_servers(config: CiscoConfig) -> list[str]:
    servers = [_strip_vrf(b.words[2:]) for b in config.lines("ntp server")]
    return unique(w[0] for w in servers if w)


def syslog_servers(config: CiscoConfig) -> list[str]:
    servers = []
    for block in config.lines("logging"):
        words = _strip_vrf(block.words[1:])
        if words[:1] == ["host"] and len(words) > 1:
            servers.append(words[1])
    return unique(servers)


def _users(config: CiscoConfig) -> list[LocalUser]:
    users = []
    for block in config.lines("username"):
        words = block.words
        if len(words) < 2:
            continue
        privilege = word_after(words, "privilege") or "1"
        admin = privilege == "15" or word_after(words, "role") == ADMIN_ROLE
        users.append(LocalUser(words[1], privilege, admin))
    return users


def _reversible(config: CiscoConfig) -> bool:
    lines = [b.words for b in config.lines("username")] + [b.words for b in config.lines("enable")]
    return any(
        password_type(words, key) in REVERSIBLE_TYPES
        for words in lines
        for key in ("secret", "password")
    )


def parse_running_config(text: str) -> Facts:
    if not ends_with(text, "end"):
        raise ParseError("running-config is truncated: no final 'end' line")
    config = parse_config(text, eos_style=True)
    if not (config.lines("hostname") or "! device:" in text):
        raise ParseError("no 'hostname' or '! device:' line: not an EOS running-config")
    out: Facts = {}
    hostname = config.lines("hostname")
    put(out, "hostname", hostname[0].words[1] if hostname and len(hostname[0].words) > 1 else None)
    out["mgmt"] = management(config)
    communities = snmp_communities(config)
    enabled = any(config.lines(f"snmp-server {k}") for k in ("community", "user", "group", "host"))
    out["snmp"] = snmp_facts(enabled, communities)
    put(out, "ntp.servers", ntp_servers(config))
    put(out, "logging.syslog_servers", syslog_servers(config))
    users = _users(config)
    out["accounts"] = accounts_facts(
        users, not _reversible(config), has_default_name(users, DEFAULT_ADMIN_NAMES)
    )
    out["config"] = config_facts(strip_volatile(PLATFORM, redact(PLATFORM, text)))
    return out


def parse_diffs(text: str) -> bool:
    """Unified diff of startup vs running: any content means unsaved changes."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    if not lines[0].startswith(("---", "+++", "@@")):
        raise ParseError("not a configuration diff: the first line is not ---, +++ or @@")
    return True


def parse(outputs: Mapping[str, str], today: date) -> tuple[Facts, dict[str, str]]:
    probes = Probes(outputs)
    version = probes.run(SHOW_VERSION, parse_show_version) or {}
    facts: Facts = {
        "os": os_facts("arista", "eos", version.get("version"), today),
        "hardware": {"vendor": "Arista Networks"},
    }
    put(facts, "uptime_seconds", version.get("uptime_seconds"))
    put(facts, "hardware.model", version.get("model"))
    put(facts, "hardware.serial", version.get("serial"))
    running = probes.run(SHOW_RUN, parse_running_config)
    if running:
        merge(facts, running)
    put(facts, "config.unsaved", probes.run(SHOW_DIFFS, parse_diffs, empty_ok=True))
    return facts, probes.errors
