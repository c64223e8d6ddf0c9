"""Turn failed checks into a remediation plan: role calls per platform, and manual actions.

Only `fail` results are planned (never `unknown`: a fix for an unverified state could break a
working host). A check whose baseline entry names a role that this installation does not ship
is listed as a manual action with its reason, never written as a task that cannot run.

Network roles configure some platforms only. A role says which (`<role>_platforms` in its
`vars/main.yml`, the list the role itself checks); a failed check on a network device whose
platform is known (from the run's facts) and not in that list is a manual action for that
device. When the platform is not known (a plan made from a JSON report, which carries no
facts), the role is planned and refuses an unsupported device at run time with a clear message.
The same goes for Windows hosts below PowerShell 5.1 (XP, 7 and 2008 R2 as shipped), where no
Ansible module runs at all: every automated fix for them becomes a manual action.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verifier.checks.facts_path import lookup
from verifier.models import Baseline, Check, Platform, RunResult, Status

# Check tags that become playbook tags, so `--skip-tags reboot` does what users expect. A
# check's `manual` tag is not one of them: a task that applies a role is an automated fix, even
# when the check was manual in the version that defined it (baselines move fixes to roles with
# `remediations:`).
FLAG_TAGS = ("reboot", "disruptive")

# Network platforms (the last part of ansible_network_os) by the `os.name` fact.
_NETWORK_OS = {
    "ios": "ios",
    "ios-xe": "ios",
    "eos": "eos",
    "asa": "asa",
    "fortios": "fortios",
    "junos": "junos",
    "routeros": "routeros",
}
NETWORK_PLATFORM_NAMES = {
    "ios": "Cisco IOS / IOS XE",
    "eos": "Arista EOS",
    "asa": "Cisco ASA",
    "fortios": "FortiOS",
    "junos": "Junos",
    "routeros": "RouterOS",
}
# Why the network roles leave a platform alone (what an engineer needs to know to do it by hand).
UNSUPPORTED_REASONS = {
    "fortios": "FortiOS is configured through its REST API (fortinet.fortios over httpapi), "
    "which verify's network roles do not drive",
    "junos": "Junos configuration is loaded and committed over NETCONF "
    "(junipernetworks.junos over netconf), which verify's network roles do not drive",
    "asa": "the cisco.asa collection is not part of the Ansible package verify pins",
    "routeros": "the pinned collections have no RouterOS configuration module over network_cli",
}


def network_os(os_name: object) -> str | None:
    """`ios`, `eos`, ... (the last part of ansible_network_os) for an `os.name` fact value."""
    return _NETWORK_OS.get(str(os_name)) if isinstance(os_name, str) else None


@dataclass(frozen=True)
class Failure:
    """One failed check on one host (from a RunResult or a JSON report)."""

    host: str
    platform: Platform
    check_id: str
    network_os: str | None = None  # network devices: `ios`, `eos` ... when the run knows it
    # Why no role can run on this host at all (e.g. PowerShell below 5.1), when the run knows.
    unmanageable: str | None = None


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


def _unsupported_note(role: str, os_name: str, supported: frozenset[str]) -> str:
    names = ", ".join(NETWORK_PLATFORM_NAMES.get(p, p) for p in sorted(supported))
    reason = UNSUPPORTED_REASONS.get(os_name, "no automated fix exists for this platform")
    platform = NETWORK_PLATFORM_NAMES.get(os_name, os_name)
    return (
        f"The automated fix (role {role}) configures {names} only; on {platform} {reason}. "
        f"Fix by hand; the role's README lists the equivalent {platform} commands."
    )


def plan(
    baseline: Baseline,
    failures: Iterable[Failure],
    source: str,
    role_available: Callable[[str], bool],
    role_platforms: Callable[[str], frozenset[str] | None] = lambda role: None,
) -> Plan:
    """`role_platforms(role)`: the network platforms a role configures (None: any host)."""
    by_check: dict[str, dict[Platform, set[str]]] = defaultdict(lambda: defaultdict(set))
    os_of: dict[str, str] = {}
    blockers: dict[str, str] = {}
    for failure in failures:
        by_check[failure.check_id][failure.platform].add(failure.host)
        if failure.network_os:
            os_of[failure.host] = failure.network_os
        if failure.unmanageable:
            blockers[failure.host] = failure.unmanageable
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
        supported = role_platforms(remediation.role)
        for platform, hosts in sorted(platforms.items()):
            blocked: dict[str, list[str]] = defaultdict(list)
            for host in hosts:
                if host in blockers:
                    blocked[blockers[host]].append(host)
            for reason, skipped in sorted(blocked.items()):
                note = f"{reason} The automated fix is role {remediation.role}."
                manual.append(ManualAction(check, note, tuple(sorted(skipped))))
                hosts = hosts - set(skipped)
            if supported is not None and platform is Platform.NETWORK:
                elsewhere: dict[str, list[str]] = defaultdict(list)
                for host in hosts:
                    if host in os_of and os_of[host] not in supported:
                        elsewhere[os_of[host]].append(host)
                for os_name, skipped in sorted(elsewhere.items()):
                    note = _unsupported_note(remediation.role, os_name, supported)
                    manual.append(ManualAction(check, note, tuple(sorted(skipped))))
                    hosts = hosts - set(skipped)
            if hosts:
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
    out = []
    for h in run.hosts:
        os_name = blocker = None
        if h.host.platform is Platform.NETWORK and h.facts is not None:
            os_name = network_os(lookup(h.facts.facts, "os.name"))
        if h.host.platform is Platform.WINDOWS and h.facts is not None:
            blocker = windows_blocker(h.facts.facts)
        out += [
            Failure(h.host.name, h.host.platform, r.check_id, os_name, blocker)
            for r in h.results
            if r.status is Status.FAIL
        ]
    return out


# Ansible's Windows modules run in its PowerShell exec wrapper, which needs PowerShell 5.1.
_MIN_POWERSHELL = (5, 1)


def windows_blocker(facts: Mapping[str, Any]) -> str | None:
    """Why Ansible cannot change this Windows host at all, or None (also when unknown)."""
    version = lookup(facts, "os.powershell_version")
    if not isinstance(version, str):
        return None
    try:
        parts = tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        return None
    if parts >= _MIN_POWERSHELL:
        return None
    build = lookup(facts, "os.build")
    # WMF 5.1 installs on Windows 7 SP1 / Server 2008 R2 SP1 (build 7601) and later only.
    upgrade = (
        "Install Windows Management Framework 5.1, then run the playbook again, or fix by hand."
        if isinstance(build, int) and build >= 7601
        else "This Windows version cannot run PowerShell 5.1: fix by hand (or replace it)."
    )
    return (
        f"Ansible changes Windows hosts through PowerShell 5.1; this host has PowerShell "
        f"{version}. {upgrade}"
    )
