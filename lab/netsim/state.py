"""The changeable state of one simulated device, shared by all its sessions, and its journal.

Every session of a device reads its outputs from :attr:`DeviceState.capture`, a view of the
capture folder in which the outputs that depend on the configuration (``show running-config``,
``show startup-config``, ``show ip ssh``, ``show running-config diffs``) follow the running
configuration. IOS and EOS configuration mode changes that configuration
(``lab/netsim/config.py``); ``write memory`` / ``copy running-config startup-config`` saves it.
Until anything changes, every output is the capture file byte for byte.

The journal (JSON lines, one file per device) records every line a device receives in
configuration mode, plus the commands that enter it or save, with the configuration context, so
tests can assert exactly what Ansible sent. :func:`read_journal` reads it back.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lab.netsim.capture import DeviceCapture
from lab.netsim.config import (
    DIALECTS,
    Config,
    EosDialect,
    IosDialect,
    Node,
    reverse_patch,
    unified_diff,
)

RUN = "show_running_config"
START = "show_startup_config"
DIFFS = "show_running_config_diffs"
IP_SSH = "show_ip_ssh"
IOS_NVRAM_SIZE = 262136  # bytes of NVRAM IOS reports in `Using N out of M bytes`


@dataclass
class Session:
    """An EOS configuration session (``configure session NAME``): a candidate configuration."""

    name: str
    candidate: Config
    user: str


class DeviceState:
    """Running and startup configuration, pending EOS sessions and the journal of one device."""

    def __init__(self, cap: DeviceCapture, name: str, journal: Path | None = None) -> None:
        self.name = name
        self.base = cap
        self.capture = cap  # what every session serves; replaced (never mutated) on change
        self.journal = journal
        self.lock = threading.RLock()
        self.dialect = DIALECTS.get(cap.platform)
        self.sessions: dict[str, Session] = {}
        self._connections = itertools.count(1)
        self.running: Config | None = None
        self.startup_text: str | None = None
        self._initial_running = cap.outputs.get(RUN)
        self._initial_startup: str | None = None
        if self.dialect is not None and self._initial_running is not None:
            self.running = Config.parse(self._initial_running, self.dialect)
            self.startup_text = self._initial_startup = self._first_startup()
            self._publish()

    def next_connection(self) -> int:
        return next(self._connections)

    # --- startup configuration ---------------------------------------------------------------

    def _first_startup(self) -> str:
        """The saved configuration at start: the capture's own, else rebuilt from the running one
        (EOS: minus ``show running-config diffs``; IOS: as the NVRAM copy of it)."""
        assert self._initial_running is not None
        captured = self.base.outputs.get(START)
        if captured is not None:
            if isinstance(self.dialect, IosDialect):
                body = re.sub(r"\AUsing \d+ out of \d+ bytes\n", "", captured)
                return "Building configuration...\n\nCurrent configuration : 0 bytes\n" + body
            return captured.replace(
                "! Command: show startup-config", "! Command: show running-config", 1
            )
        diffs = self.base.outputs.get(DIFFS)
        if isinstance(self.dialect, EosDialect) and diffs and diffs.strip():
            rebuilt = reverse_patch(self._initial_running, diffs)
            if rebuilt is not None:
                return rebuilt
        return self._initial_running

    # --- changes -----------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        """The device clock, in its `clock timezone` (IOS) or UTC."""
        utc = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        if self.running is not None and isinstance(self.dialect, IosDialect):
            for node in self.running.find("clock timezone"):
                m = re.match(r"clock timezone \S+ (-?\d+)(?: (\d+))?", node.key)
                if m:
                    hours = int(m.group(1))
                    minutes = int(m.group(2) or 0) * (1 if hours >= 0 else -1)
                    return utc + dt.timedelta(hours=hours, minutes=minutes)
        return utc

    def _zone(self) -> str:
        if self.running is not None:
            for node in self.running.find("clock timezone"):
                return node.key.split()[2]
        return "UTC"

    def _ios_stamp(self) -> str:
        t = self._now()
        return f"{t:%H:%M:%S} {self._zone()} {t:%a %b} {t.day} {t.year}"

    def changed(self, before: str, user: str) -> bool:
        """Called after a configuration command: update the IOS header and the served outputs
        if the running configuration is no longer `before`."""
        assert self.running is not None
        if self.running.render() == before:
            return False
        if isinstance(self.dialect, IosDialect):
            self._ios_header("! Last configuration change at", user)
        self._publish()
        return True

    def _ios_header(self, prefix: str, user: str) -> None:
        assert self.running is not None
        text = f"{prefix} {self._ios_stamp()} by {user}"
        nodes = self.running.nodes
        for node in nodes:
            if node.key.startswith(prefix) or (
                prefix.startswith("! Last") and node.key.startswith("! No configuration change")
            ):
                node.set_text(text)
                return
        # Not there yet: after the last-change line, or after `Current configuration`.
        anchor = next(
            (i for i, n in enumerate(nodes) if n.key.startswith("! Last configuration change")),
            None,
        )
        if anchor is None:
            anchor = next(
                (i + 1 for i, n in enumerate(nodes) if n.key.startswith("Current configuration")),
                0,
            )
        nodes.insert(anchor + 1, Node(text))

    def replace_running(self, candidate: Config, user: str) -> bool:
        """Commit an EOS session: its candidate becomes the running configuration."""
        assert self.running is not None
        before = self.running.render()
        self.running = candidate
        return self.changed(before, user)

    def save(self, user: str) -> None:
        """``write memory``: the running configuration becomes the startup configuration."""
        if self.running is None:
            return
        if isinstance(self.dialect, IosDialect):
            self._ios_header("! NVRAM config last updated at", user)
        self.startup_text = self.running.render()
        self._publish()

    # --- outputs -----------------------------------------------------------------------------

    def _publish(self) -> None:
        """Rebuild the served outputs from the configurations; outputs whose configuration is
        as captured stay the capture files, byte for byte."""
        assert self.running is not None and self.startup_text is not None
        outputs = dict(self.base.outputs)
        running = self.running.render()
        pristine = running == self._initial_running
        if isinstance(self.dialect, IosDialect):
            if not pristine:
                running = _ios_size(running)
                outputs[IP_SSH] = _ios_ip_ssh(self.base.outputs.get(IP_SSH), self.running)
            body = re.sub(
                r"\ABuilding configuration\.\.\.\n\nCurrent configuration : \d+ bytes\n",
                "",
                self.startup_text,
            )
            outputs[START] = f"Using {len(body.encode())} out of {IOS_NVRAM_SIZE} bytes\n{body}"
            if self.startup_text == self._initial_startup and START in self.base.outputs:
                outputs[START] = self.base.outputs[START]
        else:
            outputs[START] = self.startup_text.replace(
                "! Command: show running-config", "! Command: show startup-config", 1
            )
            saved_as_captured = self.startup_text == self._initial_startup
            if not (pristine and saved_as_captured and DIFFS in self.base.outputs):
                outputs[DIFFS] = unified_diff(
                    self.startup_text, running, "flash:/startup-config", "system:/running-config"
                )
        if not pristine:
            outputs[RUN] = running
        self.capture = replace(self.base, outputs=outputs)

    def output(self, command: str) -> str | None:
        return self.capture.output(command)

    # --- journal -----------------------------------------------------------------------------

    def record(self, entry: dict[str, Any]) -> None:
        if self.journal is None:
            return
        entry = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), **entry}
        entry["device"] = self.name
        with self.lock, self.journal.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True) + "\n")


def _ios_size(text: str) -> str:
    """Keep `Current configuration : N bytes` true after a change."""
    m = re.search(r"^Current configuration : \d+ bytes\n", text, flags=re.M)
    if not m:
        return text
    size = len(text[m.end() :].encode())
    return text[: m.start()] + f"Current configuration : {size} bytes\n" + text[m.end() :]


_SSH_VERSION = {"2": "2.0", "1": "1.5"}


def _ios_ip_ssh(captured: str | None, running: Config) -> str:
    """``show ip ssh`` follows ``ip ssh version``: 2 -> ``2.0``, 1 -> ``1.5``, none -> ``1.99``."""
    configured = [n.key.split()[3] for n in running.find("ip ssh version") if n.key.count(" ") > 2]
    version = _SSH_VERSION.get(configured[-1], "1.99") if configured else "1.99"
    if captured is None:
        return f"SSH Enabled - version {version}\n"
    pattern = r"^(SSH (?:Enabled|Disabled) - version )\S+"
    return re.sub(pattern, rf"\g<1>{version}", captured, count=1, flags=re.M)


def read_journal(path: Path | str) -> list[dict[str, Any]]:
    """The entries of a device journal, oldest first (empty when there is none yet)."""
    path = Path(path)
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def journal_path(journal_dir: Path | str, device: str) -> Path:
    """Where the journal of `device` (its label) is written in `journal_dir`."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", device).strip("._") or "device"
    return Path(journal_dir) / f"{safe}.jsonl"
