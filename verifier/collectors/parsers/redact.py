"""Replace every secret in a device's command output with `<redacted>`.

Used for config.running_redacted (kept as evidence and hashed for drift) and for every output
saved in a capture folder, so it must be safe to put in a report: passwords, secrets, hashes,
SNMP communities, TACACS/RADIUS/IKE/routing keys and FortiOS `ENC` blobs all go. Rules err on the
side of redacting too much: a hidden key id costs nothing, a leaked community string is an
incident.

Two properties the parsers rely on:
- idempotent: redacting redacted text changes nothing, so a capture parsed later gives the same
  running_redacted and sha256 as the live run;
- a `public`/`private` community becomes `<redacted:default>`, so snmp.default_community can
  still be told from a capture.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from verifier.collectors.parsers.markers import (
    DEFAULT_COMMUNITIES,
    MARKERS,
    REDACTED,
    REDACTED_DEFAULT,
)
from verifier.collectors.parsers.routeros_print import header_columns

# A secret value: a double-quoted string (Junos, FortiOS, RouterOS) or one word.
_VALUE = r'(?P<s>"(?:[^"\\]|\\.)*"|\S+)'
# Crypt-style hashes and Junos $9$ obfuscation wherever they appear.
_HASH = re.compile(r'"?\$(?:1|5|6|8|9|14|sha1|sha256|sha512)\$[^\s"]*"?')
# Start of a configuration line; EOS `show running-config diffs` prefixes lines with + or -.
_BOL = r"^[+-]?\s*"

Rule = Callable[[str], str]


def _replacement(value: str, community: bool) -> str:
    bare = value.strip('"')
    if bare in MARKERS or (bare and set(bare) == {"*"}):
        return value  # already redacted, or masked by the device itself (ASA `*****`)
    if community and bare.lower() in DEFAULT_COMMUNITIES:
        return REDACTED_DEFAULT
    return REDACTED


def _sub(pattern: str, *, community: bool = False) -> Rule:
    """A line rule: replace the named group `s` of every match."""
    compiled = re.compile(pattern)

    def apply(line: str) -> str:
        def one(match: re.Match[str]) -> str:
            start, end = match.span("s")
            offset = match.start(0)
            whole = match.group(0)
            new = _replacement(match.group("s"), community)
            return whole[: start - offset] + new + whole[end - offset :]

        return compiled.sub(one, line)

    return apply


def _apply(rules: tuple[Rule, ...], line: str) -> str:
    for rule in rules:
        line = rule(line)
    return _HASH.sub(lambda m: m.group(0) if m.group(0).strip('"') in MARKERS else REDACTED, line)


_TYPE = r"(?:(?:\d{1,2}|sha512|sha256|md5|pbkdf2)\s+)?"

# IOS, IOS XE, ASA and EOS share their secret syntax. Case-sensitive: configuration keywords
# are lowercase, while show outputs say things like "Key Version : A".
_CISCO_RULES: tuple[Rule, ...] = (
    _sub(rf"\b(?:password|passwd|secret)\s+{_TYPE}(?!encryption\b)(?P<s>\S+)"),
    _sub(r"\bpassword-encrypt\s+(?P<s>\S+)"),
    _sub(_BOL + r"snmp-server\b.*?\bcommunity\s+(?P<s>\S+)", community=True),
    _sub(r"\b(?:auth|priv)\s+(?:md5|sha\S*|aes\S*|des\S*|3des)\s+(?:\d+\s+)?(?P<s>\S+)"),
    _sub(_BOL + r"(?:tacacs-server|radius-server)\b.*?\bkey\s+(?:\d\s+)?(?P<s>\S+)"),
    # ` key 7 X` under `tacacs server` / ASA `aaa-server ... host`; not `key 1` in a key chain.
    _sub(r"^[+-]?\s+key\s+(?:\d\s+)?(?!\d+\s*$)(?P<s>\S+)"),
    _sub(r"\bkey\s+(?:\d\s+)?(?!\d+\s*$)(?P<s>\S+)\s*$"),
    _sub(_BOL + r"crypto isakmp key\s+(?:\d\s+)?(?P<s>\S+)"),
    _sub(r"\bkey-string\s+(?:\d\s+)?(?P<s>\S+)"),
    _sub(r"\bauthentication-key\s+(?:\d+\s+)?(?:md5\s+)?(?:\d\s+)?(?P<s>\S+)"),
    _sub(r"\bmessage-digest-key\s+\d+\s+md5\s+(?:\d\s+)?(?P<s>\S+)"),
    _sub(r"\bpre-shared-key\s+(?:\d\s+)?(?P<s>\S+)"),
    _sub(r"\bwpa-psk\s+(?:ascii|hex)\s+(?:\d\s+)?(?P<s>\S+)"),
)
# IOS/EOS `snmp-server host H [vrf V] [informs|traps] [version 1|2c] COMMUNITY` (not v3 users).
_IOS_SNMP_HOST = _sub(
    _BOL + r"snmp-server host \S+ (?:vrf \S+ )?(?:informs |traps )?(?:version (?:1|2c) )?"
    r"(?!version\b)(?P<s>\S+)",
    community=True,
)

_JUNOS_RULES: tuple[Rule, ...] = (
    _sub(r"^set snmp community " + _VALUE, community=True),
    _sub(
        r"\b(?:encrypted-password|secret|authentication-key|privacy-key|key|"
        r"plain-text-password-value|community-name|"
        r"pre-shared-key\s+(?:ascii-text|hexadecimal))\s+" + _VALUE
    ),
)

_FORTIOS_RULES: tuple[Rule, ...] = (
    _sub(r"\bENC\s+(?P<s>\S+)"),
    _sub(
        r"^\s*set\s+(?:password|passwd|psksecret|secret|key|auth-pwd|priv-pwd|passphrase|"
        r"sso-password|ppk-secret|ldap-password|sae-password|auth-password|priv-password)\s+"
        r"(?!ENC\b)(?P<s>.+)$"
    ),
)

_ROUTEROS_RULES: tuple[Rule, ...] = (
    _sub(
        r"\b(?:password|secret|pre-shared-key|wpa-pre-shared-key|wpa2-pre-shared-key|"
        r"authentication-password|encryption-password|private-key|passphrase|psk|key)=" + _VALUE
    ),
)


def _cisco(text: str, *, ios_hosts: bool) -> str:
    rules = (*_CISCO_RULES, _IOS_SNMP_HOST) if ios_hosts else _CISCO_RULES
    return "\n".join(_apply(rules, line) for line in text.split("\n"))


def _junos(text: str) -> str:
    return "\n".join(_apply(_JUNOS_RULES, line) for line in text.split("\n"))


_FORTI_CONFIG = re.compile(r"^\s*config\s+(.+?)\s*$")
_FORTI_NAME = _sub(r"^\s*set\s+name\s+" + _VALUE, community=True)
_PRIVATE_KEY_START = re.compile(r'^(\s*set\s+\S+\s+)"-----BEGIN [A-Z ]*PRIVATE KEY-----')


def _fortios(text: str) -> str:
    out: list[str] = []
    path: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        key = _PRIVATE_KEY_START.match(line)
        if key:
            # A PEM private key spans lines up to its closing quote: drop it whole.
            out.append(key.group(1) + REDACTED)
            while i < len(lines) and not line.rstrip().endswith('"'):
                line = lines[i]
                i += 1
            continue
        opened = _FORTI_CONFIG.match(line)
        if opened:
            path.append(opened.group(1))
        elif line.strip() == "end" and path:
            path.pop()
        # The community string is the entry's `name` in `config system snmp community`.
        if path and path[-1] == "system snmp community":
            line = _FORTI_NAME(line)
        out.append(_apply(_FORTIOS_RULES, line))
    return "\n".join(out)


def _join_routeros_continuations(text: str) -> list[str]:
    """RouterOS export wraps long commands with a trailing backslash; make each one line."""
    joined: list[str] = []
    pending = ""
    for line in text.split("\n"):
        if pending:
            line = pending + line.lstrip()
            pending = ""
        if line.endswith("\\"):
            pending = line[:-1]
            continue
        joined.append(line)
    if pending:
        joined.append(pending)
    return joined


_ROUTEROS_NAME = _sub(r"\bname=" + _VALUE, community=True)


def _routeros_export(text: str) -> str:
    out = []
    section = ""
    for line in _join_routeros_continuations(text):
        if line.startswith("/"):
            section = line.strip()
        # A community's name is its secret (`/snmp community set [ find default=yes ] name=...`).
        if section.startswith("/snmp community"):
            line = _ROUTEROS_NAME(line)
        out.append(_apply(_ROUTEROS_RULES, line))
    return "\n".join(out)


# `;;; comment` on its own line (v7) or after the item number and flags (v6).
_ROUTEROS_COMMENT = re.compile(r"^\s*(?:\d+\s+)?(?:[A-Z*]+\s+)?;;;")


def _routeros_community_table(text: str) -> str:
    """`/snmp community print`: replace the NAME column, widening it so columns stay aligned
    (the parser cuts rows at the header's column positions)."""
    lines = text.split("\n")
    for at, line in enumerate(lines):
        columns = header_columns(line)
        if columns is None:
            continue
        names = [name for name, _ in columns]
        if "NAME" not in names or "SECURITY" not in names:
            return text
        k = names.index("NAME")
        start = columns[k][1]
        end = columns[k + 1][1] if k + 1 < len(columns) else None
        width = (end - start) if end is not None else 0
        rows: list[tuple[int, str]] = []
        for i in range(at + 1, len(lines)):
            cell = lines[i][start:end].strip()
            if cell and not _ROUTEROS_COMMENT.match(lines[i]):
                rows.append((i, _replacement(cell, community=True)))
        width = max([width] + [len(new) + 2 for _, new in rows])
        for i, new in [(at, "NAME"), *rows]:
            line = lines[i]
            rest = line[end:] if end is not None else ""
            lines[i] = (
                line[:start].ljust(start) + (new.ljust(width) if end is not None else new) + rest
            )
        return "\n".join(lines)
    return text


def _routeros(text: str) -> str:
    return _routeros_community_table(_routeros_export(text))


_BY_PLATFORM: dict[str, Rule] = {
    "cisco_ios": lambda text: _cisco(text, ios_hosts=True),
    "arista_eos": lambda text: _cisco(text, ios_hosts=True),
    "cisco_asa": lambda text: _cisco(text, ios_hosts=False),
    "juniper_junos": _junos,
    "fortinet": _fortios,
    "mikrotik_routeros": _routeros,
}


def redact(platform: str, text: str) -> str:
    """`text` with every secret replaced; `platform` is a netmiko device_type."""
    try:
        rules = _BY_PLATFORM[platform]
    except KeyError:
        raise ValueError(f"no redaction rules for platform {platform!r}") from None
    return rules(text.replace("\r\n", "\n"))
