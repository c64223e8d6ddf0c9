"""Capture folders: one folder per device, one file per command, plus device.yml.

    DIR/<device>/device.yml            {platform: cisco_ios, hostname: core-sw, class: network}
    DIR/<device>/show_version.txt      the output of `show version` (file names: command_file)

`verify collect --out DIR` writes them (secrets redacted); `verify baseline --from-captures DIR`
reads them back and evaluates offline, so a prospect can send outputs instead of credentials.
A client may also produce the folder by hand: missing command files are probe errors
(`unknown`), never passes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from verifier.collectors.parsers import COMMANDS, command_file
from verifier.collectors.parsers.redact import redact
from verifier.errors import InputError
from verifier.models import Host, Platform

DEVICE_FILE = "device.yml"
# Firewalls by platform; everything else defaults to the generic network class.
_FIREWALL_PLATFORMS = frozenset({"cisco_asa", "fortinet"})
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Capture:
    host: Host
    platform: str
    outputs: Mapping[str, str]


def default_class(platform: str) -> str:
    return "firewall" if platform in _FIREWALL_PLATFORMS else "network"


def _folder_name(host: str) -> str:
    name = _SAFE_NAME.sub("_", host).strip("._")
    return name or "device"


def write_capture(root: Path, host: Host, platform: str, outputs: Mapping[str, str]) -> Path:
    """Save one device's outputs with secrets redacted; returns the device folder."""
    folder = root / _folder_name(host.name)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    meta = {"platform": platform, "hostname": host.name, "class": host.device_class}
    (folder / DEVICE_FILE).write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    for command, text in outputs.items():
        (folder / command_file(command)).write_text(redact(platform, text), encoding="utf-8")
    return folder


def read_captures(root: Path) -> list[Capture]:
    """Every device folder under `root`. Raises InputError naming the file for a bad one."""
    if not root.is_dir():
        raise InputError(f"{root}: capture folder not found")
    captures = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        meta_file = folder / DEVICE_FILE
        if not meta_file.is_file():
            raise InputError(f"{meta_file}: missing (needs at least `platform: <netmiko type>`)")
        try:
            meta = yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise InputError(f"{meta_file}{line}: invalid YAML") from None
        platform = str(meta.get("platform") or "") if isinstance(meta, dict) else ""
        if platform not in COMMANDS:
            known = ", ".join(sorted(COMMANDS))
            raise InputError(f"{meta_file}: platform {platform!r} is not one of: {known}")
        assert isinstance(meta, dict)
        outputs = {}
        for command in COMMANDS[platform]:
            path = folder / command_file(command)
            if path.is_file():
                outputs[command] = path.read_text(encoding="utf-8", errors="replace")
        name = str(meta.get("hostname") or folder.name)
        host = Host(
            name=name,
            address=name,
            platform=Platform.NETWORK,
            device_class=str(meta.get("class") or default_class(platform)),
            connection="capture",
        )
        captures.append(Capture(host, platform, outputs))
    if not captures:
        raise InputError(f"{root}: no device folders (each needs a {DEVICE_FILE})")
    return captures
