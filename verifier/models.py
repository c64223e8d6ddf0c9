"""The data model every stage shares: frozen, serializable dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    ERROR = "error"
    SKIPPED = "skipped"
    WAIVED = "waived"


class HostStatus(StrEnum):
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"
    AUTH_FAILED = "auth_failed"
    TIMEOUT = "timeout"
    ERROR = "error"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Platform(StrEnum):
    LINUX = "linux"
    WINDOWS = "windows"
    NETWORK = "network"


DEVICE_CLASSES = ("workstation", "server", "network", "firewall", "storage")


@dataclass(frozen=True)
class Host:
    """One inventory host as the pipeline needs it; never carries secrets."""

    name: str
    address: str
    platform: Platform
    device_class: str
    connection: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactSet:
    """The normalized facts of one host (see docs/facts.md)."""

    host: str
    platform: Platform
    collected_at: str
    collector: str
    facts: Mapping[str, Any]
    probe_errors: Mapping[str, str] = field(default_factory=dict)
    schema_version: int = 1


@dataclass(frozen=True)
class Condition:
    fact: str
    operator: str
    expected: Any = None


@dataclass(frozen=True)
class Remediation:
    role: str | None = None
    vars: Mapping[str, Any] = field(default_factory=dict)
    manual: str | None = None


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    severity: Severity
    rationale: str
    fact: str
    operator: str
    expected: Any = None
    platforms: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    scope: str = "host"
    when: tuple[Condition, ...] = ()
    remediation: Remediation | None = None
    tags: tuple[str, ...] = ()

    def applies_to(self, host: Host) -> bool:
        platform_ok = not self.platforms or host.platform.value in self.platforms
        class_ok = not self.classes or host.device_class in self.classes
        return platform_ok and class_ok


@dataclass(frozen=True)
class Baseline:
    name: str
    version: str
    description: str
    sha256: str
    checks: tuple[Check, ...]
    sources: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    host: str
    status: Status
    severity: Severity
    expected: Any = None
    actual: Any = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class Collection:
    """What a collector brought back for one host: facts, or why there are none."""

    host: Host
    status: HostStatus
    facts: FactSet | None = None
    message: str = ""


@dataclass(frozen=True)
class HostResult:
    host: Host
    status: HostStatus
    message: str
    results: tuple[CheckResult, ...]
    facts: FactSet | None = None

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)


@dataclass(frozen=True)
class RunResult:
    baseline: Baseline
    inventory: str
    started_at: str
    finished_at: str
    hosts: tuple[HostResult, ...]
    interrupted: bool = False

    def results(self) -> list[CheckResult]:
        return [r for h in self.hosts for r in h.results]

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for result in self.results():
            counts[result.status.value] += 1
        counts["hosts"] = len(self.hosts)
        counts["hosts_reachable"] = sum(1 for h in self.hosts if h.status is HostStatus.REACHABLE)
        return counts
