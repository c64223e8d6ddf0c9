from pathlib import Path

from tests.helpers import baseline, check, reachable
from verifier.models import Remediation
from verifier.pipeline import evaluate_run
from verifier.reporters.fixes import Fix, fixes_for


def _run(*checks):  # type: ignore[no-untyped-def]
    hosts = [reachable({"a": {"b": False}}, name=n) for n in ("h1", "h2")]
    return evaluate_run(baseline(*checks), Path("inv.yml"), hosts, "2026-11-23T00:00:00+00:00")


def test_shipped_role_is_automated_on_every_failing_host() -> None:
    run = _run(check(id="linux.t.ssh", remediation=Remediation(role="ssh_hardening")))
    assert fixes_for(run) == {
        ("h1", "linux.t.ssh"): Fix("automated", role="ssh_hardening"),
        ("h2", "linux.t.ssh"): Fix("automated", role="ssh_hardening"),
    }


def test_unshipped_role_and_missing_remediation_are_manual_with_a_reason() -> None:
    run = _run(
        check(id="linux.t.ghost", remediation=Remediation(role="no_such_role", manual="By hand.")),
        check(id="linux.t.none"),
    )
    fixes = fixes_for(run)
    ghost = fixes[("h1", "linux.t.ghost")]
    assert ghost.kind == "manual" and "no_such_role" in ghost.instruction
    assert ghost.instruction.endswith("By hand.")
    assert fixes[("h2", "linux.t.none")] == Fix(
        "manual", instruction="No remediation is defined in the baseline."
    )


def test_passing_checks_have_no_fix() -> None:
    run = _run(
        check(id="linux.t.ok", expected=False, remediation=Remediation(role="ssh_hardening"))
    )
    assert fixes_for(run) == {}


def test_documents() -> None:
    assert Fix("automated", role="uac").to_document() == {"kind": "automated", "role": "uac"}
    assert Fix("manual", instruction="x").to_document() == {"kind": "manual", "instruction": "x"}
