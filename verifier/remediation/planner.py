"""Turn failed checks into a remediation plan: role calls per platform, and manual actions.

Only `fail` results are planned (never `unknown`: a fix for an unverified state could break a
working host). A check whose baseline entry names a role that this installation does not ship
is listed as a manual action with its reason, never written as a task that cannot run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verifier.models import Baseline, Check, Platform, RunResult, Status

# Check tags that become playbook tags, so `--skip-tags reboot` does what users expect.
FLAG_TAGS = ("reboot", "disruptive", "manual")


@dataclass(frozen=True)
class Failure:
    """One failed check on one host (from a RunResult or a JSON report)."""

    host: str
    platform: Platform
    check_id: str


@dataclass(frozen=True)
class RoleCall:
    """One role applied for one check, on the hosts that failed it."""

    check: Check
    role: str
    vars: Mapping[str, Any]
    hosts: tuple[str, ...]

    @property
    def tags(self) -> tuple[str, ...]:
        flags = [t for t in self.check.tags if t in FLAG_TAGS]
        return (self.check.id, self.check.severity.value, *flags)


@dataclass(frozen=True)
class ManualAction:
    check: Check
    instruction: str
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    baseline: Baseline
    source: str  # the report (or run) the plan was made from
    plays: Mapping[Platform, tuple[RoleCall, ...]]  # platform -> role calls, baseline order
    manual: tuple[ManualAction, ...]

    @property
    def empty(self) -> bool:
        return not self.plays and not self.manual

    def hosts(self, platform: Platform) -> tuple[str, ...]:
        names = {h for call in self.plays.get(platform, ()) for h in call.hosts}
        return tuple(sorted(names))


def plan(
    baseline: Baseline,
    failures: Iterable[Failure],
    source: str,
    role_available: Callable[[str], bool],
) -> Plan:
    by_check: dict[str, dict[Platform, set[str]]] = defaultdict(lambda: defaultdict(set))
    for failure in failures:
        by_check[failure.check_id][failure.platform].add(failure.host)
    plays: dict[Platform, list[RoleCall]] = defaultdict(list)
    manual: list[ManualAction] = []
    for check in baseline.checks:  # baseline order: critical fixes are where the author put them
        platforms = by_check.get(check.id)
        if not platforms:
            continue
        all_hosts = tuple(sorted(h for hosts in platforms.values() for h in hosts))
        remediation = check.remediation
        if remediation is None or (remediation.role is None and not remediation.manual):
            manual.append(
                ManualAction(check, "No remediation is defined in the baseline.", all_hosts)
            )
            continue
        if remediation.role is None:
            manual.append(ManualAction(check, str(remediation.manual), all_hosts))
            continue
        if not role_available(remediation.role):
            note = (
                f"The automated fix (role {remediation.role}) is not shipped with this version "
                "of verify; fix by hand."
            )
            if remediation.manual:
                note += f" {remediation.manual}"
            manual.append(ManualAction(check, note, all_hosts))
            continue
        for platform, hosts in sorted(platforms.items()):
            plays[platform].append(
                RoleCall(check, remediation.role, dict(remediation.vars), tuple(sorted(hosts)))
            )
    # Manual actions most severe first (stable: baseline order within a severity).
    manual.sort(key=lambda action: action.check.severity.rank)
    return Plan(
        baseline=baseline,
        source=source,
        plays={p: tuple(calls) for p, calls in plays.items()},
        manual=tuple(manual),
    )


def failures_from_report(document: Mapping[str, Any]) -> list[Failure]:
    """The failed checks of a JSON report (verifier/reporters/report.schema.json)."""
    out = []
    for host in document.get("hosts") or []:
        platform = Platform(str(host.get("platform")))
        for check in host.get("checks") or []:
            if check.get("status") == "fail":
                out.append(Failure(str(host["name"]), platform, str(check["id"])))
    return out


def check_ids(failures: Sequence[Failure]) -> set[str]:
    return {f.check_id for f in failures}


def failures_from_run(run: RunResult) -> list[Failure]:
    return [
        Failure(h.host.name, h.host.platform, r.check_id)
        for h in run.hosts
        for r in h.results
        if r.status is Status.FAIL
    ]
