"""FortiGate / FortiOS (netmiko `fortinet`): `get system status` and targeted `show` sections.

`show` prints only settings that differ from the defaults, so an absent `set` means the
FortiOS default; the defaults used here are named constants below.
"""

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
from verifier.collectors.parsers.fortiosconf import FortiNode, parse_fortios, require
from verifier.collectors.parsers.probes import ParseError, Probes, cell, ntc_parse
from verifier.collectors.parsers.redact import redact
from verifier.collectors.parsers.volatile import strip_volatile

PLATFORM = "fortinet"
GET_STATUS = "get system status"
SHOW_GLOBAL = "show system global"
SHOW_INTERFACE = "show system interface"
SHOW_ADMIN = "show system admin"
SHOW_SNMP = "show system snmp community"
SHOW_NTP = "show system ntp"
SHOW_SYSLOG = "show log syslogd setting"
SHOW_ALL = "show"
COMMANDS = (
    GET_STATUS,
    SHOW_GLOBAL,
    SHOW_INTERFACE,
    SHOW_ADMIN,
    SHOW_SNMP,
    SHOW_NTP,
    SHOW_SYSLOG,
    SHOW_ALL,
)

DEFAULT_ADMINTIMEOUT = 5  # minutes
DEFAULT_ADMIN_NAMES = ("admin",)
ADMIN_PROFILE = "super_admin"
# Symbolic NTP server when the FortiGate syncs from FortiGuard (`set type fortiguard`, default).
FORTIGUARD_NTP = "fortiguard"

_VERSION = re.compile(r"^(?P<model>\S+)\s+v(?P<version>\d+\.\d+\.\d+)")


def parse_status(text: str) -> Facts:
    rows = ntc_parse(PLATFORM, GET_STATUS, text)
    row = rows[0] if rows else {}
    found = _VERSION.match(cell(row, "version") or "")
    if not found:
        raise ParseError("no 'Version: <model> v<x.y.z>' line")
    out: Facts = {"version": found["version"], "model": found["model"]}
    put(out, "hostname", cell(row, "hostname"))
    put(out, "serial", cell(row, "serial_number"))
    return out


def parse_global(text: str) -> Facts:
    node = require(parse_fortios(text), "system global")
    out: Facts = {}
    put(out, "hostname", node.get("hostname"))
    timeout = node.get("admintimeout")
    out["idle_timeout_minutes"] = int(timeout) if timeout else DEFAULT_ADMINTIMEOUT
    out["login_banner"] = "enable" in (node.get("pre-login-banner"), node.get("post-login-banner"))
    # SSH v1 could be switched on with `admin-ssh-v1` on older releases; v2 is always on.
    out["ssh_version"] = "1.99" if node.get("admin-ssh-v1") == "enable" else "2"
    out["telnet_globally_disabled"] = node.get("admin-telnet") == "disable"
    # `cfg-save manual|revert`: changes wait for `execute cfg save`; we cannot see if they did.
    out["unsaved"] = False if node.get("cfg-save") in (None, "automatic") else None
    return out


def management_access(text: str) -> set[str]:
    """Services allowed on any interface that is not administratively down (IPv4 or IPv6)."""
    node = require(parse_fortios(text), "system interface")
    services: set[str] = set()
    for entry in node.edits.values():
        if entry.get("status") == "down":
            continue
        services.update(entry.settings.get("allowaccess", []))
        ipv6 = entry.path("ipv6")
        if ipv6 is not None:
            services.update(ipv6.settings.get("ip6-allowaccess", []))
    return services


def parse_admins(text: str) -> Facts:
    node = require(parse_fortios(text), "system admin")
    users = []
    clear = False
    for name, entry in node.edits.items():
        profile = entry.get("accprofile") or ""
        users.append(LocalUser(name, profile, profile == ADMIN_PROFILE))
        password = entry.settings.get("password")
        # `show` prints admin passwords as `ENC <hash>`; anything else would be clear text.
        if password and password[0] != "ENC":
            clear = True
    return accounts_facts(users, not clear, has_default_name(users, DEFAULT_ADMIN_NAMES))


def parse_communities(text: str) -> list[Community]:
    """Enabled communities that answer v1 or v2c queries (FortiOS SNMP is read-only)."""
    node = require(parse_fortios(text), "system snmp community")
    out = []
    for entry in node.edits.values():
        if entry.get("status") == "disable":
            continue
        queries = (entry.get("query-v1-status"), entry.get("query-v2c-status"))
        if queries == ("disable", "disable"):
            continue
        out.append(Community(entry.get("name"), "ro"))
    return out


def parse_ntp(text: str) -> list[str]:
    node = require(parse_fortios(text), "system ntp")
    if node.get("ntpsync") == "disable":
        return []
    if node.get("type") != "custom":
        return [FORTIGUARD_NTP]
    servers = node.path("ntpserver") or FortiNode()
    return unique(s for s in (e.get("server") for e in servers.edits.values()) if s)


def parse_syslog(text: str) -> list[str]:
    node = require(parse_fortios(text), "log syslogd setting")
    if node.get("status") != "enable":
        return []
    server = node.get("server")
    return [server] if server else []


def parse_full_config(text: str) -> Facts:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[-1] != "end":
        raise ParseError("configuration is truncated: no final 'end' line")
    if not any(line.startswith("config system global") for line in lines):
        raise ParseError("no 'config system global' block: not a FortiOS configuration")
    return config_facts(strip_volatile(PLATFORM, redact(PLATFORM, text)))


def parse(outputs: Mapping[str, str], today: date) -> tuple[Facts, dict[str, str]]:
    probes = Probes(outputs)
    status = probes.run(GET_STATUS, parse_status) or {}
    facts: Facts = {
        "os": os_facts("fortinet", "fortios", status.get("version"), today),
        "hardware": {"vendor": "Fortinet"},
    }
    put(facts, "hostname", status.get("hostname"))
    put(facts, "hardware.model", status.get("model"))
    put(facts, "hardware.serial", status.get("serial"))
    global_ = probes.run(SHOW_GLOBAL, parse_global) or {}
    if "hostname" not in facts:
        put(facts, "hostname", global_.get("hostname"))
    for key in ("idle_timeout_minutes", "login_banner", "ssh_version"):
        put(facts, f"mgmt.{key}", global_.get(key))
    put(facts, "config.unsaved", global_.get("unsaved"))
    services = probes.run(SHOW_INTERFACE, management_access)
    if services is not None:
        telnet = "telnet" in services and not global_.get("telnet_globally_disabled", False)
        put(facts, "mgmt.telnet_enabled", telnet)
        put(facts, "mgmt.ssh_enabled", "ssh" in services)
        put(facts, "mgmt.http_enabled", "http" in services)
        put(facts, "mgmt.https_enabled", "https" in services)
    communities = probes.run(SHOW_SNMP, parse_communities)
    if communities is not None:
        # The agent answers only on interfaces that allow `snmp`.
        enabled = ("snmp" in services) if services is not None else (True if communities else None)
        facts["snmp"] = snmp_facts(enabled, communities)
    put(facts, "ntp.servers", probes.run(SHOW_NTP, parse_ntp))
    put(facts, "logging.syslog_servers", probes.run(SHOW_SYSLOG, parse_syslog))
    accounts = probes.run(SHOW_ADMIN, parse_admins)
    if accounts:
        facts["accounts"] = accounts
    config = probes.run(SHOW_ALL, parse_full_config)
    if config:
        facts.setdefault("config", {}).update(config)
    return facts, probes.errors
