"""Drop configuration lines that change without a configuration change.

config.sha256 is compared between runs to detect drift, so timestamps of the export, save
markers and counters must not be part of what is hashed.
"""

from __future__ import annotations

import re

_PATTERNS: dict[str, re.Pattern[str]] = {
    # IOS/EOS headers carry timestamps and sizes; `ntp clock-period` is rewritten by the clock.
    "cisco_ios": re.compile(
        r"^(Building configuration\.\.\.|Current configuration\s*:|"
        r"! Last configuration change at |! NVRAM config last updated at |"
        r"! No configuration change since last restart|ntp clock-period )"
    ),
    # EOS header comments; `! device:` names the running image, which is not configuration.
    "arista_eos": re.compile(r"^(! Command: |! device: |! Startup-config last modified at )"),
    # ASA: the checksum and the "written by ... at" save marker.
    "cisco_asa": re.compile(r"^(Cryptochecksum:|: Written by |: Saved\s*$)"),
    # FortiOS header: build metadata and the collecting user, not configuration.
    "fortinet": re.compile(r"^#(config-version|conf_file_ver|buildno|global_vdom)="),
    "juniper_junos": re.compile(r"^## Last (commit|changed):"),
    # RouterOS: "# 2024-05-14 09:31:12 by RouterOS 7.15.3" / "# may/14/2024 09:31:12 by ...".
    "mikrotik_routeros": re.compile(r"^# \S+ \d\d:\d\d:\d\d by RouterOS "),
}


def strip_volatile(platform: str, text: str) -> str:
    pattern = _PATTERNS.get(platform)
    lines = text.replace("\r\n", "\n").split("\n")
    if pattern is not None:
        lines = [line for line in lines if not pattern.match(line)]
    return "\n".join(lines).strip("\n") + "\n"
