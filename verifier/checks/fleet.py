"""Fleet-scope checks: one fact compared across every host at once.

`unique`: no two hosts share a value (one licence key per device).
`uniform`: every host has the same value (one security platform across all offices).
Each host still gets its own result, so a report row says which host clashes with which.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from verifier.checks.evaluation import (
    check_conditions,
    make_result,
    missing_message,
    unreachable_message,
)
from verifier.checks.facts_path import lookup
from verifier.checks.operators import MISSING
from verifier.models import Check, CheckResult, Collection, HostStatus, Status


def _comparable(value: Any) -> Any:
    # Lists compare as sets: ["clamav", "veeam"] and ["veeam", "clamav"] are the same platform.
    if isinstance(value, list | tuple):
        return tuple(sorted(map(str, value)))
    return value


def evaluate_fleet_check(
    check: Check, collections: Sequence[Collection], today: date
) -> list[CheckResult]:
    results: dict[str, CheckResult] = {}
    values: dict[str, Any] = {}
    for collection in collections:
        name = collection.host.name
        if not check.applies_to(collection.host):
            results[name] = make_result(check, name, Status.SKIPPED, "does not apply to this host")
            continue
        facts = collection.facts
        if collection.status is not HostStatus.REACHABLE or facts is None:
            results[name] = make_result(
                check, name, Status.UNKNOWN, unreachable_message(collection)
            )
            continue
        stopped = check_conditions(check, name, facts, today)
        if stopped is not None:
            results[name] = stopped
            continue
        value = lookup(facts.facts, check.fact)
        if value is MISSING:
            results[name] = make_result(
                check, name, Status.UNKNOWN, missing_message(check.fact, facts)
            )
            continue
        values[name] = value
    judge = _unique if check.operator == "unique" else _uniform
    results.update(judge(check, values))
    return [results[c.host.name] for c in collections]


def _unique(check: Check, values: dict[str, Any]) -> dict[str, CheckResult]:
    owners: dict[Any, list[str]] = defaultdict(list)
    for host, value in values.items():
        items = value if isinstance(value, list | tuple) else [value]
        for item in {_comparable(i) for i in items}:
            owners[item].append(host)
    out = {}
    for host, value in values.items():
        shared = sorted(
            {other for hosts in owners.values() if host in hosts for other in hosts} - {host}
        )
        evidence = {check.fact: value, "shared_with": shared}
        if shared:
            out[host] = make_result(
                check,
                host,
                Status.FAIL,
                f"{check.fact} is also used by {', '.join(shared)}",
                actual=value,
                evidence=evidence,
                expected="unique across hosts",
            )
        else:
            out[host] = make_result(
                check,
                host,
                Status.PASS,
                "",
                actual=value,
                evidence=evidence,
                expected="unique across hosts",
            )
    return out


def _uniform(check: Check, values: dict[str, Any]) -> dict[str, CheckResult]:
    counts = Counter(_comparable(v) for v in values.values()).most_common()
    # The strictly most common value is the fleet's standard; hosts that differ are the odd ones
    # out. With a tie there is no standard, and every host fails.
    tie = len(counts) > 1 and counts[0][1] == counts[1][1]
    standard = None if not counts or tie else counts[0][0]
    expected = "same value on every host"
    out = {}
    for host, value in values.items():
        evidence = {check.fact: value, "fleet_values": {h: values[h] for h in sorted(values)}}
        if _comparable(value) == standard and len(counts) == 1:
            out[host] = make_result(
                check, host, Status.PASS, "", actual=value, evidence=evidence, expected=expected
            )
            continue
        odd = sorted(h for h, v in values.items() if _comparable(v) != _comparable(value))
        if _comparable(value) == standard:
            message = f"matches most hosts; the odd ones out are {', '.join(odd)}"
            status = Status.PASS
        else:
            message = f"{check.fact} is {value!r} here but differs on {', '.join(odd)}"
            status = Status.FAIL
        out[host] = make_result(
            check, host, status, message, actual=value, evidence=evidence, expected=expected
        )
    return out
