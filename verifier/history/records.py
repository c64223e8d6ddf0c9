"""What the history store gives back: runs as they were stored, independent of the models."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunRecord:
    """One stored run's metadata (what `verify history list` shows)."""

    id: int
    command: str
    started_at: str
    finished_at: str
    tool_version: str
    baseline_name: str
    baseline_version: str
    baseline_sha256: str
    inventory_path: str
    inventory_key: str
    inventory_sha256: str
    limit_pattern: str | None
    interrupted: bool
    exit_code: int
    summary: Mapping[str, int]
    accepted: bool = False

    @property
    def baseline_ref(self) -> str:
        return f"{self.baseline_name}@{self.baseline_version}"


@dataclass(frozen=True)
class StoredCheck:
    check_id: str
    status: str
    severity: str
    title: str
    expected: Any
    actual: Any
    message: str


@dataclass(frozen=True)
class StoredHost:
    name: str
    address: str
    platform: str
    device_class: str
    status: str
    message: str
    collected_at: str | None
    facts: Mapping[str, Any] | None
    probe_errors: Mapping[str, str] = field(default_factory=dict)
    checks: tuple[StoredCheck, ...] = ()

    def check(self, check_id: str) -> StoredCheck | None:
        return next((c for c in self.checks if c.check_id == check_id), None)


@dataclass(frozen=True)
class StoredRun:
    run: RunRecord
    hosts: tuple[StoredHost, ...]

    def host(self, name: str) -> StoredHost | None:
        return next((h for h in self.hosts if h.name == name), None)
