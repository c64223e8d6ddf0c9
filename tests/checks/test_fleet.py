from datetime import date

from tests.helpers import check, reachable
from verifier.checks.fleet import evaluate_fleet_check
from verifier.models import Collection, HostStatus, Status

TODAY = date(2026, 11, 23)


def _run(operator: str, values: dict[str, object]) -> dict[str, Status]:
    c = check(scope="fleet", operator=operator, expected=None, fact="k")
    collections = [reachable({"k": v} if v is not None else {}, name=n) for n, v in values.items()]
    return {r.host: r.status for r in evaluate_fleet_check(c, collections, TODAY)}


def test_unique_flags_both_hosts_sharing_a_value() -> None:
    statuses = _run("unique", {"a": "KEY1", "b": "KEY1", "c": "KEY2", "d": None})
    assert statuses == {
        "a": Status.FAIL,
        "b": Status.FAIL,
        "c": Status.PASS,
        "d": Status.UNKNOWN,
    }


def test_unique_over_lists() -> None:
    assert _run("unique", {"a": ["x", "y"], "b": ["y"], "c": ["z"]})["a"] is Status.FAIL


def test_uniform_fails_the_odd_one_out() -> None:
    statuses = _run("uniform", {"a": ["clamav"], "b": ["clamav"], "c": ["crowdstrike"]})
    assert statuses == {"a": Status.PASS, "b": Status.PASS, "c": Status.FAIL}


def test_uniform_tie_has_no_standard() -> None:
    assert set(_run("uniform", {"a": ["x"], "b": ["y"]}).values()) == {Status.FAIL}


def test_uniform_lists_compare_as_sets() -> None:
    assert set(_run("uniform", {"a": ["x", "y"], "b": ["y", "x"]}).values()) == {Status.PASS}


def test_unreachable_host_is_unknown_and_not_counted() -> None:
    c = check(scope="fleet", operator="uniform", expected=None, fact="k")
    down = Collection(reachable({}, name="z").host, HostStatus.UNREACHABLE, message="refused")
    results = evaluate_fleet_check(c, [reachable({"k": 1}, name="a"), down], TODAY)
    assert [r.status for r in results] == [Status.PASS, Status.UNKNOWN]
    assert results[0].evidence["fleet_values"] == {"a": 1}
