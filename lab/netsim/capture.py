"""The capture layout: one folder per device, one file per command, plus ``device.yml``.

    core-sw/
      device.yml                  {platform: cisco_ios, hostname: core-sw}
      show_version.txt
      show_running_config.txt
      show_ip_ssh.txt

File name of a command (the issue 5 contract): lowercase it, replace every run of characters
outside ``[a-z0-9]`` with ``_``, strip leading/trailing ``_``, add ``.txt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PLATFORMS = (
    "cisco_ios",
    "cisco_asa",
    "fortinet",
    "juniper_junos",
    "arista_eos",
    "mikrotik_routeros",
)

# The read-only commands each facts driver runs (contract table, issue 5).
PLATFORM_COMMANDS: dict[str, tuple[str, ...]] = {
    "cisco_ios": ("show version", "show running-config", "show ip ssh"),
    "cisco_asa": ("show version", "show running-config", "show startup-config"),
    "fortinet": (
        "get system status",
        "show system global",
        "show system interface",
        "show system admin",
        "show system snmp community",
        "show system ntp",
        "show log syslogd setting",
        "show",
    ),
    "juniper_junos": (
        "show version",
        "show chassis hardware",
        "show system uptime",
        "show configuration | display set",
    ),
    "arista_eos": ("show version", "show running-config", "show running-config diffs"),
    "mikrotik_routeros": (
        "/system resource print",
        "/system routerboard print",
        "/system identity print",
        "/ip service print",
        "/snmp community print",
        "/system ntp client print",
        "/system logging action print",
        "/user print",
        "/system note print",
        "/export hide-sensitive",
    ),
}

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def command_stem(command: str) -> str:
    """``show running-config`` -> ``show_running_config`` (the file name without ``.txt``)."""
    return _NON_ALNUM.sub("_", command.lower()).strip("_")


def command_file_name(command: str) -> str:
    """``/ip service print`` -> ``ip_service_print.txt``."""
    return command_stem(command) + ".txt"


class CaptureError(ValueError):
    """A device folder that is not in capture layout."""


@dataclass(frozen=True)
class DeviceCapture:
    """A device folder loaded into memory: outputs by file stem, with ``\\n`` line endings."""

    folder: Path
    platform: str
    hostname: str
    outputs: dict[str, str] = field(repr=False)

    def output(self, command: str) -> str | None:
        return self.outputs.get(command_stem(command))

    def missing(self) -> list[str]:
        """Contract commands of the platform that have no output file."""
        return [c for c in PLATFORM_COMMANDS.get(self.platform, ()) if self.output(c) is None]


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_capture(folder: Path | str) -> DeviceCapture:
    folder = Path(folder)
    meta_path = folder / "device.yml"
    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaptureError(f"{meta_path}: {exc}") from exc
    if not isinstance(meta, dict):
        raise CaptureError(f"{meta_path}: expected a mapping")
    platform, hostname = meta.get("platform"), meta.get("hostname")
    if platform not in PLATFORMS:
        raise CaptureError(f"{meta_path}: platform must be one of {', '.join(PLATFORMS)}")
    if not isinstance(hostname, str) or not hostname:
        raise CaptureError(f"{meta_path}: hostname missing")
    outputs: dict[str, str] = {}
    for path in sorted(folder.glob("*.txt")):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        outputs[path.stem] = normalize_newlines(raw)
    return DeviceCapture(folder, str(platform), hostname, outputs)
