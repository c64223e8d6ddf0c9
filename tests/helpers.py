"""Builders shared by unit tests: small hosts, collections and baselines without any I/O."""

from __future__ import annotations

from typing import Any

from verifier.models import (
    Baseline,
    Check,
    Collection,
    FactSet,
    Host,
    HostStatus,
    Platform,
    Severity,
)


def host(
    name: str = "h1", device_class: str = "server", platform: Platform = Platform.LINUX
) -> Host:
    return Host(name, "127.0.0.1", platform, device_class, "ssh")


def reachable(facts: dict[str, Any], name: str = "h1", **kw: Any) -> Collection:
    h = host(name, **kw)
    factset = FactSet(h.name, h.platform, "2026-11-23T00:00:00+00:00", "test", facts)
    return Collection(h, HostStatus.REACHABLE, factset)


def check(**kw: Any) -> Check:
    fields: dict[str, Any] = {
        "id": "linux.test.check",
        "title": "A test check",
        "severity": Severity.HIGH,
        "rationale": "because",
        "fact": "a.b",
        "operator": "eq",
        "expected": True,
    }
    fields.update(kw)
    return Check(**fields)


def baseline(*checks: Check) -> Baseline:
    return Baseline("test", "1.0.0", "", "0" * 64, tuple(checks))
