"""Evaluate checks against FactSets. Pure: no I/O, no printing.

Host-scope checks look at one host; fleet-scope checks (verifier.checks.fleet) look at all hosts
at once. Every path out of here yields a CheckResult: an exception in one check becomes an
`error` result for that check, never an aborted run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date

from verifier.checks import fleet
from verifier.checks.evaluation import (
    check_conditions,
    describe_expectation,
    evaluate_condition,
    make_result,
    missing_message,
    unreachable_message,
)
from verifier.checks.facts_path import lookup
from verifier.checks.operators import MISSING
from verifier.models import Check, CheckResult, Collection, HostStatus, Status


def evaluate_host_check(check: Check, collection: Collection, today: date) -> CheckResult:
    host = collection.host
    if not check.applies_to(host):
        return make_result(check, host.name, Status.SKIPPED, "does not apply to this host")
    facts = collection.facts
    if collection.status is not HostStatus.REACHABLE or facts is None:
        return make_result(check, host.name, Status.UNKNOWN, unreachable_message(collection))
    stopped = check_conditions(check, host.name, facts, today)
    if stopped is not None:
        return stopped
    actual = lookup(facts.facts, check.fact)
    shown = None if actual is MISSING else actual
    evidence = {check.fact: shown}
    outcome = evaluate_condition(check, facts, today)
    if outcome is None:
        message = missing_message(check.fact, facts)
        return make_result(check, host.name, Status.UNKNOWN, message, evidence=evidence)
    if isinstance(outcome, str):
        return make_result(check, host.name, Status.ERROR, outcome, actual=shown, evidence=evidence)
    if outcome:
        return make_result(check, host.name, Status.PASS, "", actual=shown, evidence=evidence)
    wanted = describe_expectation(check.operator, check.expected)
    message = f"{check.fact} is {json.dumps(shown, default=str)}, expected {wanted}"
    return make_result(check, host.name, Status.FAIL, message, actual=shown, evidence=evidence)


def _safe(check: Check, collection: Collection, today: date) -> CheckResult:
    try:
        return evaluate_host_check(check, collection, today)
    except Exception as exc:  # one broken check must not abort the run
        return make_result(check, collection.host.name, Status.ERROR, f"evaluation failed: {exc}")


def evaluate(
    checks: Sequence[Check], collections: Iterable[Collection], today: date
) -> dict[str, list[CheckResult]]:
    """Results per host name, in check order, for host- and fleet-scope checks alike."""
    collections = list(collections)
    by_host: dict[str, list[CheckResult]] = {c.host.name: [] for c in collections}
    for check in checks:
        if check.scope == "fleet":
            for result in fleet.evaluate_fleet_check(check, collections, today):
                by_host[result.host].append(result)
            continue
        for collection in collections:
            by_host[collection.host.name].append(_safe(check, collection, today))
    return by_host
