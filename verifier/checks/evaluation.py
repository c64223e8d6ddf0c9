"""Primitives shared by host- and fleet-scope evaluation: results, preconditions, messages."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from verifier.checks.facts_path import lookup
from verifier.checks.operators import MISSING, OPERATORS, OperatorTypeError
from verifier.models import (
    Check,
    CheckResult,
    Collection,
    Condition,
    FactSet,
    Status,
)


def make_result(check: Check, host: str, status: Status, message: str, **kw: Any) -> CheckResult:
    return CheckResult(
        check_id=check.id,
        host=host,
        status=status,
        severity=check.severity,
        expected=kw.get("expected", check.expected),
        actual=kw.get("actual"),
        evidence=kw.get("evidence", {}),
        message=message,
    )


def missing_message(path: str, facts: FactSet) -> str:
    probe = path.split(".")[0]
    reason = facts.probe_errors.get(probe)
    return f"fact {path} was not collected" + (f" ({reason})" if reason else "")


def unreachable_message(collection: Collection) -> str:
    return f"host {collection.status.value}: {collection.message}"


def describe_expectation(operator: str, expected: Any) -> str:
    known = OPERATORS.get(operator)
    if known is not None and not known.takes_expected:
        return operator
    return f"{operator} {json.dumps(expected, default=str)}"


def check_conditions(check: Check, host: str, facts: FactSet, today: date) -> CheckResult | None:
    """A skipped/unknown/error result when a `when` precondition stops the check, else None."""
    for cond in check.when:
        outcome = evaluate_condition(cond, facts, today)
        if outcome is None:
            return make_result(
                check, host, Status.UNKNOWN, "precondition: " + missing_message(cond.fact, facts)
            )
        if isinstance(outcome, str):
            return make_result(check, host, Status.ERROR, f"precondition {cond.fact}: {outcome}")
        if not outcome:
            return make_result(
                check,
                host,
                Status.SKIPPED,
                f"does not apply: {cond.fact} is not "
                f"{describe_expectation(cond.operator, cond.expected)}",
            )
    return None


def evaluate_condition(cond: Condition | Check, facts: FactSet, today: date) -> bool | str | None:
    """True/False for pass/fail, None when the fact is missing, a str on a type error."""
    operator = OPERATORS[cond.operator]
    actual = lookup(facts.facts, cond.fact)
    if actual is MISSING and not operator.reads_missing:
        return None
    try:
        return operator.func(actual, cond.expected, today)
    except OperatorTypeError as exc:
        return str(exc)
