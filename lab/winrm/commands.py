"""Recognising what a WinRS command is: verify's collection script, or Ansible's module wrapper.

Ansible's winrm plugin runs everything as ``PowerShell -NoProfile -NonInteractive
-ExecutionPolicy Unrestricted -EncodedCommand <base64 UTF-16LE>``:

- ``raw`` puts the command itself in the encoded script; verify's collection is a one-line
  loader (``playbooks/filter_plugins/verify_powershell.py``) around the gzipped script;
- modules encode ``bootstrap_wrapper.ps1`` and send on stdin the bootstrap manifest, a line of
  four NUL bytes, then the exec manifest whose last action (``module_wrapper.ps1``) names the
  module (``params.Script``) and carries its arguments (``complex_args``). See
  ``ansible/executor/powershell/module_manifest.py`` (pinned ansible-core).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

VERIFY_MARKER = "# verify-windows-facts v1"
# The bootstrap wrapper's first statement; it answers this itself below PowerShell 5.1.
BOOTSTRAP_MARKER = "Ansible requires PowerShell v5.1"
MANIFEST_SEPARATOR = b"\n\0\0\0\0\n"

# PowerShell accepts any unambiguous prefix of -EncodedCommand; these are the usual spellings.
_ENCODED_FLAGS = {"-encodedcommand", "-enc", "-ec", "-e", "/encodedcommand"}
_PAYLOAD = re.compile(r"FromBase64String\('([A-Za-z0-9+/=]+)'\)")


def encoded_script(argv: list[str]) -> str | None:
    """The script of ``powershell ... -EncodedCommand B64`` (any unambiguous prefix of the flag)."""
    for i, arg in enumerate(argv[:-1]):
        low = arg.lower()
        if low in _ENCODED_FLAGS or (len(low) > 2 and "-encodedcommand".startswith(low)):
            try:
                return base64.b64decode(argv[i + 1], validate=True).decode("utf-16-le")
            except (binascii.Error, UnicodeDecodeError):
                return None
    return None


def verify_collection(script: str) -> str | None:
    """The collection script when ``script`` runs it (through the loader, or sent as is)."""
    if script.lstrip().startswith(VERIFY_MARKER):
        return script
    m = _PAYLOAD.search(script)
    if not m:
        return None
    try:
        inner = gzip.decompress(base64.b64decode(m.group(1), validate=True)).decode("utf-8")
    except (binascii.Error, OSError, EOFError, zlib.error, UnicodeDecodeError):
        return None
    return inner if inner.lstrip().startswith(VERIFY_MARKER) else None


@dataclass(frozen=True)
class ModuleCall:
    """One module run through Ansible's PowerShell exec wrapper."""

    script: str  # e.g. "ansible_collections.ansible.windows.plugins.modules.win_ping.ps1"
    args: dict[str, Any] = field(default_factory=dict)  # complex_args, _ansible_* included

    @property
    def name(self) -> str:
        """Short module name: ``win_ping``, ``setup``."""
        return self.script.removesuffix(".ps1").rsplit(".", 1)[-1]

    @property
    def params(self) -> dict[str, Any]:
        """The module's own arguments (without Ansible's ``_ansible_*`` internals)."""
        return {k: v for k, v in self.args.items() if not k.startswith("_ansible_")}


def is_exec_wrapper(script: str) -> bool:
    return BOOTSTRAP_MARKER in script and "$input" in script


def module_call(stdin: bytes) -> ModuleCall | None:
    """The module named by the exec manifest on stdin (None if it is not one)."""
    parts = stdin.split(MANIFEST_SEPARATOR)
    if len(parts) < 2:
        return None
    try:
        manifest = json.loads(parts[1])
        action = manifest["actions"][-1]["params"]
        script = str(action["Script"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    args: dict[str, Any] = {}
    for var in action.get("Variables") or []:
        if isinstance(var, dict) and var.get("Name") == "complex_args":
            args = dict(var.get("Value") or {})
    return ModuleCall(script, args)
