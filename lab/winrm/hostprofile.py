"""Windows host profiles: ``lab/winrm/profiles/<name>/`` (``profile.yml`` + recorded output).

``profile.yml`` describes the machine (what Ansible's setup module would report about it);
``collect.jsonl`` is what ``playbooks/files/verify_windows_facts.ps1`` prints on it, one JSON
object per line (stored with LF, served with CRLF as PowerShell writes it). Sources of the
values: ``lab/winrm/profiles/SOURCES.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
# The day the profiles were recorded: ages (update, signature, uptime) are relative to it.
RECORDED_ON = dt.date(2026, 11, 23)
CLASSES = ("workstation", "server")


class ProfileError(ValueError):
    """A profile directory is missing or its profile.yml is incomplete."""


def profile_names() -> list[str]:
    """Every profile directory that has a profile.yml, sorted."""
    return sorted(p.parent.name for p in PROFILES_DIR.glob("*/profile.yml"))


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:4])


@dataclass(frozen=True)
class WindowsProfile:
    name: str
    path: Path
    hostname: str  # NetBIOS computer name, as Win32_ComputerSystem.Name reports it
    product: str
    verify_class: str
    powershell_version: str  # [string]$PSVersionTable.PSVersion
    os: dict[str, Any]
    hardware: dict[str, Any]
    domain: dict[str, Any]
    network: dict[str, Any]
    expect: str
    collect_stdout: bytes  # exactly as served: CRLF line ends
    collect_stderr: bytes
    collect_exit_code: int
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def modern_powershell(self) -> bool:
        """Ansible's exec wrapper (bootstrap_wrapper.ps1) needs PowerShell 5.1 or later."""
        return _version_tuple(self.powershell_version) >= (5, 1)

    def collect_lines(self) -> list[str]:
        return self.collect_stdout.decode("utf-8").splitlines()


def _plain(section: Any) -> dict[str, Any]:
    """A mapping of profile.yml with YAML's dates turned back into the text written there
    (datetimes as the script prints them, ``yyyy-MM-ddTHH:mm:ssZ``)."""
    out: dict[str, Any] = {}
    for key, value in dict(section).items():
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[str(key)] = value
    return out


def _read_output(directory: Path, name: str | None, crlf: bool) -> bytes:
    if not name:
        return b""
    data = (directory / name).read_bytes()
    if crlf:  # the files are kept with LF; PowerShell's stdout over WinRS is CRLF
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return data


def load_profile(name_or_dir: str | Path) -> WindowsProfile:
    """A profile by name (``win10-22h2``) or by directory."""
    directory = Path(name_or_dir)
    if not directory.is_dir():
        directory = PROFILES_DIR / str(name_or_dir)
    spec_file = directory / "profile.yml"
    if not spec_file.is_file():
        raise ProfileError(f"no Windows profile {name_or_dir!r} (expected {spec_file})")
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8")) or {}
    try:
        collect = spec["collect"]
        verify_class = spec["class"]
        if verify_class not in CLASSES:
            raise ProfileError(f"{spec_file}: class must be one of {CLASSES}")
        return WindowsProfile(
            name=directory.name,
            path=directory,
            hostname=str(spec["hostname"]),
            product=str(spec["product"]),
            verify_class=verify_class,
            powershell_version=str(spec["powershell_version"]),
            os=_plain(spec["os"]),
            hardware=_plain(spec["hardware"]),
            domain=_plain(spec["domain"]),
            network=_plain(spec["network"]),
            expect=str(spec.get("expect") or ""),
            collect_stdout=_read_output(directory, collect["stdout"], crlf=True),
            # stderr is replayed byte for byte (CLIXML carries its own \r\n).
            collect_stderr=_read_output(directory, collect.get("stderr"), crlf=False),
            collect_exit_code=int(collect.get("exit_code") or 0),
            raw=spec,
        )
    except (KeyError, TypeError) as exc:
        raise ProfileError(f"{spec_file}: missing or malformed key {exc}") from exc
