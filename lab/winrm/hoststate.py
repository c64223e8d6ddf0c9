"""One endpoint's changeable host: its copy of the profile's collect.jsonl records, and a journal.

Remediation modules (:mod:`lab.winrm.remediation`) change the records in memory, so the next
run of verify's collection script on the same endpoint reports the fixed state; the profile on
disk is never written. Untouched records are served byte for byte as recorded. Every module call
is appended to the journal (JSON lines) when the endpoint has one, for tests to read.

The host has a clock (:meth:`HostState.now`): it starts at the recording's own ``local_time``
(the moment the recorded collection ran, shifted like every other timestamp) and runs in real
time from the moment the state is created, so an uptime the role measures is never shorter than
the one verify collected. ``sim`` holds what the simulations remember beyond the records (the
Windows Update catalogue, Defender preferences, a scheduled restart ...).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Any


def _dump(obj: dict[str, Any]) -> str:
    # The script writes compact JSON (ConvertTo-Json -Compress), one object per line.
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class HostState:
    """The collection records of one host (CRLF text as served), changeable section by section."""

    def __init__(self, stdout: bytes, journal: Path | None = None) -> None:
        self._lines = stdout.decode("utf-8").split("\r\n")
        self._original = stdout
        self._dirty = False
        self.journal = journal
        self.lock = threading.RLock()
        # Registry values written by win_regedit: (key, name) lower case -> (type, data).
        self.registry: dict[tuple[str, str], tuple[str, Any]] = {}
        self.sim: dict[str, Any] = {}
        self._clock_base = self._recorded_time() or dt.datetime.now(dt.UTC)
        self._clock_start = time.monotonic()

    def now(self) -> dt.datetime:
        """The host's clock (UTC): the recorded collection time plus the real time since."""
        return self._clock_base + dt.timedelta(seconds=time.monotonic() - self._clock_start)

    def _recorded_time(self) -> dt.datetime | None:
        found = self._find("os")
        text = None if found is None else found[1]["data"].get("local_time")
        try:
            return dt.datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            return None

    def section(self, name: str) -> dict[str, Any] | None:
        """A copy of one section's ``data`` (None when the host did not report that section)."""
        with self.lock:
            found = self._find(name)
            return None if found is None else json.loads(json.dumps(found[1]["data"]))

    def update(self, name: str, data: dict[str, Any]) -> None:
        """Replace one section's ``data`` (the section must exist)."""
        with self.lock:
            found = self._find(name)
            if found is None:
                raise KeyError(name)
            index, obj = found
            obj["data"] = data
            self._lines[index] = _dump(obj)
            self._dirty = True

    def stdout(self) -> bytes:
        """The collection script's stdout on this host now. Once the host has restarted
        (``sim["live_clock"]``), ``os.local_time`` is the host's clock at the collection."""
        with self.lock:
            if self.sim.get("live_clock"):
                os_ = self.section("os")
                if os_ is not None:
                    os_["local_time"] = self.now().strftime("%Y-%m-%dT%H:%M:%SZ")
                    self.update("os", os_)
            if not self._dirty:
                return self._original
            return "\r\n".join(self._lines).encode("utf-8")

    def record(self, entry: dict[str, Any]) -> None:
        """Append one module call to the journal (no-op without a journal)."""
        if self.journal is None:
            return
        with self.lock, self.journal.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True) + "\n")

    def _find(self, name: str) -> tuple[int, dict[str, Any]] | None:
        for index, line in enumerate(self._lines):
            if f'"{name}"' not in line:
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if (
                isinstance(obj, dict)
                and obj.get("section") == name
                and isinstance(obj.get("data"), dict)
            ):
                return index, obj
        return None


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The calls recorded in a journal file, oldest first (empty when there is none yet)."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
