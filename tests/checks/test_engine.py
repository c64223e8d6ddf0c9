from datetime import date

from tests.helpers import check, host, reachable
from verifier.checks.engine import evaluate, evaluate_host_check
from verifier.models import Collection, Condition, FactSet, HostStatus, Status

TODAY = date(2026, 11, 23)


def test_pass_fail_and_evidence() -> None:
    c = check(fact="ssh.password_authentication", operator="eq", expected=False)
    ok = evaluate_host_check(c, reachable({"ssh": {"password_authentication": False}}), TODAY)
    bad = evaluate_host_check(c, reachable({"ssh": {"password_authentication": True}}), TODAY)
    assert ok.status is Status.PASS and ok.actual is False
    assert bad.status is Status.FAIL
    assert bad.evidence == {"ssh.password_authentication": True}
    assert "expected eq false" in bad.message


def test_missing_fact_is_unknown_never_pass() -> None:
    c = check(fact="accounts.uid0_non_root", operator="empty", expected=None)
    result = evaluate_host_check(c, reachable({"accounts": {}}), TODAY)
    assert result.status is Status.UNKNOWN
    assert "not collected" in result.message


def test_null_fact_is_unknown() -> None:
    c = check(fact="a.b", operator="eq", expected=None)
    assert evaluate_host_check(c, reachable({"a": {"b": None}}), TODAY).status is Status.UNKNOWN


def test_missing_fact_message_names_the_probe_error() -> None:
    h = host()
    facts = FactSet(h.name, h.platform, "t", "test", {}, probe_errors={"updates": "apt timed out"})
    c = check(fact="updates.pending", operator="le", expected=0)
    result = evaluate_host_check(c, Collection(h, HostStatus.REACHABLE, facts), TODAY)
    assert result.status is Status.UNKNOWN and "apt timed out" in result.message


def test_type_mismatch_is_error() -> None:
    c = check(fact="a.b", operator="gt", expected=3)
    assert evaluate_host_check(c, reachable({"a": {"b": "lots"}}), TODAY).status is Status.ERROR


def test_unreachable_host_gives_unknown() -> None:
    c = check()
    result = evaluate_host_check(
        c, Collection(host(), HostStatus.AUTH_FAILED, message="Permission denied"), TODAY
    )
    assert result.status is Status.UNKNOWN and "auth_failed" in result.message


def test_not_applicable_is_skipped() -> None:
    c = check(classes=("workstation",))
    assert evaluate_host_check(c, reachable({"a": {"b": True}}), TODAY).status is Status.SKIPPED
    c = check(platforms=("windows",))
    assert evaluate_host_check(c, reachable({"a": {"b": True}}), TODAY).status is Status.SKIPPED


def test_when_preconditions() -> None:
    c = check(when=(Condition("hardware.virtual", "eq", False),))
    physical = reachable({"a": {"b": True}, "hardware": {"virtual": False}})
    virtual = reachable({"a": {"b": True}, "hardware": {"virtual": True}})
    unknown = reachable({"a": {"b": True}})
    assert evaluate_host_check(c, physical, TODAY).status is Status.PASS
    assert evaluate_host_check(c, virtual, TODAY).status is Status.SKIPPED
    assert evaluate_host_check(c, unknown, TODAY).status is Status.UNKNOWN


def test_evaluate_orders_results_per_host() -> None:
    checks = [check(id="x.one"), check(id="x.two", fact="c")]
    results = evaluate(checks, [reachable({"a": {"b": True}}, name="n1")], TODAY)
    assert [(r.check_id, r.status) for r in results["n1"]] == [
        ("x.one", Status.PASS),
        ("x.two", Status.UNKNOWN),
    ]


def test_broken_operator_becomes_error_not_crash() -> None:
    c = check(operator="no_such_operator")
    results = evaluate([c], [reachable({"a": {"b": True}})], TODAY)
    assert results["h1"][0].status is Status.ERROR
