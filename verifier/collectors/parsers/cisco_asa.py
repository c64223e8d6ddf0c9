"""Cisco ASA (netmiko `cisco_asa`): show version, show running-config, show startup-config."""

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
    merge,
    os_facts,
    put,
    snmp_facts,
    unique,
)
from verifier.collectors.parsers.ciscoconf import CiscoConfig, ends_with, parse_config, word_after
from verifier.collectors.parsers.markers import REDACTED
from verifier.collectors.parsers.probes import ParseError, Probes, cell, ntc_parse
from verifier.collectors.parsers.redact import redact
from verifier.collectors.parsers.values import looks_like_address, parse_duration
from verifier.collectors.parsers.volatile import strip_volatile

PLATFORM = "cisco_asa"
SHOW_VERSION = "show version"
SHOW_RUN = "show running-config"
SHOW_START = "show startup-config"
COMMANDS = (SHOW_VERSION, SHOW_RUN, SHOW_START)

DEFAULT_ADMIN_NAMES = ("cisco", "admin")
DEFAULT_SSH_TIMEOUT = 5  # minutes, when `ssh timeout` is not configured
# Password forms the ASA stores as hashes; anything else in a password line is clear text.
HASHED_MARKERS = frozenset({"encrypted", "pbkdf2", "nt-encrypted"})
# Trains before 9.16 accept SSH versions 1 and 2 unless `ssh version` narrows it. The default of
# later trains could not be confirmed, so there a missing line leaves mgmt.ssh_version unknown.
SSH_V1_DEFAULT_UNTIL = (9, 16)


def parse_show_version(text: str) -> Facts:
    rows = ntc_parse(PLATFORM, SHOW_VERSION, text)
    row = rows[0] if rows else {}
    version = cell(row, "version")
    if not version:
        raise ParseError("no 'Adaptive Security Appliance Software Version' line")
    out: Facts = {"version": version}
    put(out, "hostname", cell(row, "hostname"))
    uptime = cell(row, "uptime")
    put(out, "uptime_seconds", parse_duration(uptime) if uptime else None)
    hardware = cell(row, "hardware")
    put(out, "model", cell(row, "model") or (hardware.split(",")[0] if hardware else None))
    put(out, "serial", cell(row, "serial"))
    return out


def _check_config(text: str, what: str) -> None:
    if not ends_with(text, ": end"):
        raise ParseError(f"{what} is truncated: no final ': end' line")
    if not re.search(r"^ASA Version \S+", text, re.MULTILINE):
        raise ParseError(f"no 'ASA Version' line: not an ASA {what}")


def _access_lines(config: CiscoConfig, keyword: str) -> list[list[str]]:
    """`ssh 10.0.0.0 255.0.0.0 inside`-style allow lines (not `ssh timeout 5` and the like)."""
    return [
        b.words
        for b in config.lines(keyword)
        if len(b.words) >= 4 and looks_like_address(b.words[1])
    ]


def _ssh_version(config: CiscoConfig, version: str | None) -> str | None:
    configured = config.lines("ssh version")
    if configured:
        values = configured[-1].words[2:]
        if values == ["2"]:
            return "2"
        return "1" if values == ["1"] else "1.99"
    numbers = [int(n) for n in re.findall(r"\d+", version or "")[:2]]
    if len(numbers) == 2 and tuple(numbers) < SSH_V1_DEFAULT_UNTIL:
        return "1.99"
    return None


def _idle_timeout(config: CiscoConfig) -> int:
    for block in config.lines("ssh timeout"):
        if len(block.words) >= 3 and block.words[2].isdigit():
            return int(block.words[2])
    return DEFAULT_SSH_TIMEOUT


def snmp_communities(config: CiscoConfig) -> list[Community]:
    """Global `snmp-server community` plus host lines with their own `community` (read-only:
    the ASA has no SNMP write access). Clear strings count once; masked ones each count."""
    names: list[str] = [
        b.words[2] for b in config.lines("snmp-server community") if len(b.words) > 2
    ]
    for block in config.lines("snmp-server host"):
        own = word_after(block.words, "community")
        if own:
            names.append(own)
    seen: set[str] = set()
    out = []
    for name in names:
        masked = set(name) == {"*"}
        if not masked and name in seen:
            continue
        seen.add(name)
        out.append(Community(None if masked else name, "ro"))
    return out


def _users(config: CiscoConfig) -> list[LocalUser]:
    users = []
    for block in config.lines("username"):
        words = block.words
        if len(words) < 2 or words[2:3] == ["attributes"]:
            continue  # `username x attributes` opens a settings block, not another account
        privilege = word_after(words, "privilege") or "2"
        users.append(LocalUser(words[1], privilege, privilege == "15"))
    return users


def _clear_passwords(config: CiscoConfig) -> bool:
    lines = [b.words for b in config.lines("username")]
    lines += [b.words for b in config.lines("enable password")]
    lines += [b.words for b in config.lines("passwd")]
    for words in lines:
        key = "passwd" if words[0] == "passwd" else "password"
        if key not in words:
            continue
        after = words[words.index(key) + 1 :]
        if after and not HASHED_MARKERS.intersection(after[1:]):
            return True
    return False


_SECRET_TOKEN = re.compile(r"(?<!\S)(?:\*+|<redacted(?::default)?>)(?!\S)")


def _comparable(text: str) -> list[str]:
    """Config lines that matter when comparing running and startup: no header or comments, and
    every secret the same token (the ASA may mask a secret in one output and not the other)."""
    lines = []
    for line in redact(PLATFORM, text).splitlines():
        stripped = line.rstrip()
        if not stripped.strip() or stripped.startswith((":", "!", "Cryptochecksum:")):
            continue
        lines.append(_SECRET_TOKEN.sub(REDACTED, stripped))
    return lines


def parse_running_config(text: str, version: str | None) -> Facts:
    _check_config(text, "running-config")
    config = parse_config(text, asa_style=True)
    out: Facts = {}
    hostname = config.lines("hostname")
    put(out, "hostname", hostname[0].words[1] if hostname and len(hostname[0].words) > 1 else None)
    put(out, "mgmt.telnet_enabled", bool(_access_lines(config, "telnet")))
    put(out, "mgmt.ssh_enabled", bool(_access_lines(config, "ssh")))
    put(out, "mgmt.ssh_version", _ssh_version(config, version))
    # `http server enable` is ASDM over HTTPS; the ASA has no plain-HTTP management.
    put(out, "mgmt.http_enabled", False)
    https = config.has("http server enable") and bool(_access_lines(config, "http"))
    put(out, "mgmt.https_enabled", https)
    put(out, "mgmt.idle_timeout_minutes", _idle_timeout(config))
    put(out, "mgmt.login_banner", any(k in ("motd", "login") for k in config.banners))
    communities = snmp_communities(config)
    enabled = bool(communities) or bool(config.lines("snmp-server host"))
    out["snmp"] = snmp_facts(enabled, communities)
    ntp = [b.words[2] for b in config.lines("ntp server") if len(b.words) > 2]
    put(out, "ntp.servers", unique(ntp))
    syslog = [b.words[3] for b in config.lines("logging host") if len(b.words) > 3]
    put(out, "logging.syslog_servers", unique(syslog))
    users = _users(config)
    out["accounts"] = accounts_facts(
        users, not _clear_passwords(config), has_default_name(users, DEFAULT_ADMIN_NAMES)
    )
    out["config"] = config_facts(strip_volatile(PLATFORM, redact(PLATFORM, text)))
    return out


def parse_startup_config(text: str) -> list[str]:
    _check_config(text, "startup-config")
    return _comparable(text)


def parse(outputs: Mapping[str, str], today: date) -> tuple[Facts, dict[str, str]]:
    probes = Probes(outputs)
    version = probes.run(SHOW_VERSION, parse_show_version) or {}
    facts: Facts = {
        "os": os_facts("cisco", "asa", version.get("version"), today),
        "hardware": {"vendor": "Cisco"},
    }
    put(facts, "uptime_seconds", version.get("uptime_seconds"))
    put(facts, "hardware.model", version.get("model"))
    put(facts, "hardware.serial", version.get("serial"))
    running = probes.run(
        SHOW_RUN, lambda t: (parse_running_config(t, version.get("version")), _comparable(t))
    )
    if running:
        merge(facts, running[0])
    put(facts, "hostname", version.get("hostname"))  # the running name wins over the config
    startup = probes.run(SHOW_START, parse_startup_config)
    if running and startup is not None:
        put(facts, "config.unsaved", running[1] != startup)
    return facts, probes.errors
