"""Meta-test: every check in every shipped baseline has a pass, a fail and an unknown fixture,
and each fixture yields exactly that status (as ansible-lint does for its rules)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import reachable
from verifier.baselines import loader
from verifier.checks.engine import evaluate
from verifier.models import Check, Platform, Status

TODAY = date(2026, 11, 23)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "checks"
SHIPPED = loader.available([loader.bundled_baselines_dir()])


def _cases() -> list[tuple[str, Check]]:
    cases = []
    for ref in SHIPPED:
        for check in loader.load(ref.ref).checks:
            cases.append((ref.name, check))
    return cases


def _fixtures(name: str) -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / f"{name}.yml").read_text(encoding="utf-8"))


def _evaluate(check: Check, fixture: dict[str, Any]) -> set[Status]:
    platform = Platform(check.platforms[0]) if check.platforms else Platform.LINUX
    device_class = check.classes[0] if check.classes else "server"
    hosts = fixture["hosts"] if check.scope == "fleet" else {"fixture-host": fixture}
    collections = [
        reachable(facts, name=name, device_class=device_class, platform=platform)
        for name, facts in hosts.items()
    ]
    results = evaluate([check], collections, TODAY)
    return {r.status for rs in results.values() for r in rs}


def test_shipped_baselines_exist() -> None:
    assert SHIPPED, "no baselines shipped"
    assert len(_cases()) >= 20


@pytest.mark.parametrize(("baseline", "check"), _cases(), ids=lambda v: getattr(v, "id", v))
def test_check_has_pass_fail_unknown_fixtures(baseline: str, check: Check) -> None:
    fixtures = _fixtures(baseline)
    assert check.id in fixtures, f"{check.id}: no fixtures in tests/fixtures/checks/{baseline}.yml"
    cases = fixtures[check.id]
    assert set(cases) >= {"pass", "fail", "unknown"}, f"{check.id}: needs pass, fail and unknown"
    expectations = {"pass": Status.PASS, "fail": Status.FAIL, "unknown": Status.UNKNOWN}
    for case, status in expectations.items():
        outcome = _evaluate(check, cases[case])
        if check.scope == "fleet" and case == "fail":
            assert Status.FAIL in outcome, f"{check.id} {case}: got {outcome}"
        else:
            assert outcome == {status}, f"{check.id} {case}: got {outcome}"
