"""Drift between an accepted snapshot and a later run: hosts, checks and facts that matter."""

from __future__ import annotations

from typing import Any

from verifier.history.drift import DRIFT_DOCUMENT_VERSION, Change, compute, to_document
from verifier.history.records import RunRecord, StoredCheck, StoredHost, StoredRun


def _record(run_id: int, **kw: Any) -> RunRecord:
    fields: dict[str, Any] = {
        "id": run_id,
        "command": "baseline" if run_id == 1 else "drift",
        "started_at": f"2026-11-0{run_id}T02:00:00+00:00",
        "finished_at": f"2026-11-0{run_id}T02:05:00+00:00",
        "tool_version": "0.1.0",
        "baseline_name": "msp-standard",
        "baseline_version": "1.2.0",
        "baseline_sha256": "a" * 64,
        "inventory_path": "clients/acme.yml",
        "inventory_key": "/srv/clients/acme.yml",
        "inventory_sha256": "c" * 64,
        "limit_pattern": None,
        "interrupted": False,
        "exit_code": 1,
        "summary": {"hosts": 2, "fail": 1},
    }
    fields.update(kw)
    return RunRecord(**fields)


def _check(check_id: str, status: str, **kw: Any) -> StoredCheck:
    fields: dict[str, Any] = {
        "check_id": check_id,
        "status": status,
        "severity": "high",
        "title": f"title of {check_id}",
        "expected": True,
        "actual": status == "pass",
        "message": "",
    }
    fields.update(kw)
    return StoredCheck(**fields)


def _host(
    name: str,
    status: str = "reachable",
    checks: tuple[StoredCheck, ...] = (),
    facts: dict[str, Any] | None = None,
    message: str = "",
    platform: str = "linux",
) -> StoredHost:
    return StoredHost(
        name=name,
        address="10.0.0.1",
        platform=platform,
        device_class="server",
        status=status,
        message=message,
        collected_at="2026-11-01T02:01:00+00:00" if status == "reachable" else None,
        facts=facts if facts is not None else ({} if status == "reachable" else None),
        checks=checks,
    )


def _runs(
    base_hosts: list[StoredHost], current_hosts: list[StoredHost], **current: Any
) -> tuple[StoredRun, StoredRun]:
    return StoredRun(_record(1), tuple(base_hosts)), StoredRun(
        _record(2, **current), tuple(current_hosts)
    )


def _kinds(changes: tuple[Change, ...]) -> list[tuple[str, str, str]]:
    return [(c.kind, c.host, c.subject) for c in changes]


def test_no_change_is_no_drift() -> None:
    hosts = [
        _host("web1", checks=(_check("a", "pass"), _check("b", "fail"))),
        _host("db1", "unreachable"),
    ]
    drift = compute(*_runs(hosts, hosts))
    assert drift.found is False
    assert drift.changes == () and drift.notes == () and drift.counts() == {}
    assert (drift.base.id, drift.current.id) == (1, 2)


def test_host_added_and_missing() -> None:
    drift = compute(*_runs([_host("old1")], [_host("new1", "unreachable")]))
    assert drift.changes == (
        Change(
            "host_missing",
            "old1",
            "",
            "high",
            "host is no longer in the inventory",
            "reachable",
            None,
        ),
        Change("host_added", "new1", "", "medium", "new host (unreachable)", None, "unreachable"),
    )
    assert drift.counts() == {"host_missing": 1, "host_added": 1}


def test_limit_does_not_report_hosts_outside_it_as_missing() -> None:
    drift = compute(*_runs([_host("web1"), _host("db1")], [_host("web1")], limit_pattern="web*"))
    assert drift.found is False
    assert drift.notes == ("--limit web*: hosts outside it are not compared",)


def test_host_unreachable_hides_its_check_changes() -> None:
    base = [_host("web1", checks=(_check("a", "pass"),))]
    now = [_host("web1", "timeout", checks=(_check("a", "unknown"),), message="no answer in 15 s")]
    [change] = compute(*_runs(base, now)).changes
    assert change == Change(
        "host_unreachable",
        "web1",
        "",
        "high",
        "host is timeout: no answer in 15 s",
        "reachable",
        "timeout",
    )
    [quiet] = compute(*_runs(base, [_host("web1", "unreachable")])).changes
    assert quiet.detail == "host is unreachable"


def test_host_recovered_counts_its_failing_checks() -> None:
    checks = (_check("a", "fail"), _check("b", "fail"), _check("c", "pass"))
    [change] = compute(
        *_runs([_host("web1", "auth_failed")], [_host("web1", checks=checks)])
    ).changes
    assert change == Change(
        "host_recovered",
        "web1",
        "",
        "medium",
        "host is reachable again (2 failing checks)",
        "auth_failed",
        "reachable",
    )


def test_a_host_down_both_times_is_no_change() -> None:
    drift = compute(*_runs([_host("web1", "unreachable")], [_host("web1", "timeout")]))
    assert drift.changes == ()


def test_check_failing() -> None:
    base = [_host("web1", checks=(_check("ssh.root", "pass"), _check("skip.me", "skipped")))]
    now = [
        _host(
            "web1",
            checks=(
                _check("ssh.root", "fail", severity="critical", expected="no", actual="yes"),
                _check("skip.me", "fail", severity="low", title=""),
                _check("brand.new", "fail", severity="medium", expected=3, actual=[1]),
            ),
        )
    ]
    changes = compute(*_runs(base, now)).changes
    assert changes == (
        Change(
            "check_failing",
            "web1",
            "ssh.root",
            "critical",
            "now fails: title of ssh.root (expected 'no', found 'yes')",
            "pass",
            "fail",
        ),
        Change(
            "check_failing",
            "web1",
            "brand.new",
            "medium",
            "now fails: title of brand.new (expected 3, found [1])",
            None,
            "fail",
        ),
        Change(
            "check_failing",
            "web1",
            "skip.me",
            "low",
            "now fails: skip.me (expected True, found False)",
            "skipped",
            "fail",
        ),
    )


def test_check_fixed() -> None:
    base = [_host("web1", checks=tuple(_check(c, "fail") for c in ("p", "s", "w", "u", "f")))]
    now = [
        _host(
            "web1",
            checks=(
                _check("p", "pass"),
                _check("s", "skipped"),
                _check("w", "waived"),
                _check("u", "unknown"),  # still not shown to be fixed: no change
                _check("f", "fail"),
            ),
        )
    ]
    changes = compute(*_runs(base, now)).changes
    assert [(c.kind, c.subject, c.before, c.after, c.detail) for c in changes] == [
        ("check_fixed", "p", "fail", "pass", "fixed: title of p"),
        ("check_fixed", "s", "fail", "skipped", "fixed: title of s"),
        ("check_fixed", "w", "fail", "waived", "fixed: title of w"),
    ]


def test_check_unverifiable() -> None:
    base = [
        _host("web1", checks=(_check("a", "pass"), _check("b", "pass"), _check("c", "unknown")))
    ]
    now = [
        _host(
            "web1",
            checks=(
                _check("a", "unknown", message="fact time.synchronized was not collected"),
                _check("b", "error"),
                _check("c", "error"),  # was not verified before either
            ),
        )
    ]
    changes = compute(*_runs(base, now)).changes
    assert [(c.kind, c.subject, c.before, c.after, c.detail) for c in changes] == [
        (
            "check_unverifiable",
            "a",
            "pass",
            "unknown",
            "can no longer be verified: title of a (fact time.synchronized was not collected)",
        ),
        ("check_unverifiable", "b", "pass", "error", "can no longer be verified: title of b"),
    ]


def test_fact_changes_of_reachable_hosts() -> None:
    base = [
        _host(
            "sw1",
            platform="network",
            facts={"os": {"version": "17.9"}, "accounts": {"admins": ["a"]}},
        )
    ]
    now = [
        _host(
            "sw1",
            platform="network",
            facts={"os": {"version": "17.12"}, "accounts": {"admins": ["a", "b"]}},
        )
    ]
    changes = compute(*_runs(base, now)).changes
    assert changes == (
        Change("admin_added", "sw1", "b", "high", "administrator added: b", None, "b"),
        Change(
            "firmware_changed",
            "sw1",
            "os.version",
            "medium",
            "firmware version changed: 17.9 -> 17.12",
            "17.9",
            "17.12",
        ),
    )


def test_hosts_without_stored_facts_compare_no_facts() -> None:
    base = [StoredHost("web1", "h", "linux", "server", "reachable", "", None, None)]
    now = [_host("web1", facts={"accounts": {"admins": ["eve"]}})]
    assert compute(*_runs(base, now)).changes == ()


def test_baseline_change_is_a_note() -> None:
    drift = compute(
        *_runs([_host("web1")], [_host("web1")], baseline_version="1.3.0", baseline_sha256="b" * 64)
    )
    assert drift.found is False
    assert drift.notes == (
        "baseline differs: snapshot msp-standard@1.2.0 (aaaaaaaaaaaa), "
        "now msp-standard@1.3.0 (bbbbbbbbbbbb)",
    )


def test_changes_are_ordered_by_severity_then_host_kind_subject() -> None:
    base = [
        _host(
            "b-host",
            checks=(_check("x.low", "pass"), _check("x.crit", "pass"), _check("x.odd", "pass")),
        ),
        _host("a-host", checks=(_check("y", "fail", severity="high"), _check("z", "pass"))),
        _host("c-host"),
    ]
    now = [
        _host(
            "b-host",
            checks=(
                _check("x.low", "fail", severity="low"),
                _check("x.crit", "fail", severity="critical"),
                _check("x.odd", "fail", severity="bogus"),
            ),
        ),
        _host("a-host", checks=(_check("y", "pass", severity="high"), _check("z", "fail"))),
        _host("d-host"),
    ]
    changes = compute(*_runs(base, now)).changes
    assert [(c.severity, c.host, c.kind, c.subject) for c in changes] == [
        ("critical", "b-host", "check_failing", "x.crit"),
        ("high", "a-host", "check_failing", "z"),
        ("high", "a-host", "check_fixed", "y"),
        ("high", "c-host", "host_missing", ""),
        ("medium", "d-host", "host_added", ""),
        ("low", "b-host", "check_failing", "x.low"),
        ("bogus", "b-host", "check_failing", "x.odd"),  # an unknown severity sorts last
    ]


def test_to_document() -> None:
    base = [
        _host(
            "sw1", platform="network", facts={"config": {"sha256": "1", "running_redacted": "a\n"}}
        )
    ]
    now = [
        _host(
            "sw1",
            platform="network",
            checks=(_check("net.ssh", "fail", severity="high", expected=2, actual=1),),
            facts={"config": {"sha256": "2", "running_redacted": "b\n"}},
        )
    ]
    drift = compute(*_runs(base, now, baseline_sha256="b" * 64))

    document = to_document(drift)

    assert document == {
        "drift_version": DRIFT_DOCUMENT_VERSION,
        "inventory": "clients/acme.yml",
        "accepted_run": {
            "id": 1,
            "started_at": "2026-11-01T02:00:00+00:00",
            "baseline": {"name": "msp-standard", "version": "1.2.0", "sha256": "a" * 64},
            "summary": {"hosts": 2, "fail": 1},
        },
        "run": {
            "id": 2,
            "started_at": "2026-11-02T02:00:00+00:00",
            "baseline": {"name": "msp-standard", "version": "1.2.0", "sha256": "b" * 64},
            "summary": {"hosts": 2, "fail": 1},
        },
        "drift": True,
        "counts": {"check_failing": 1, "config_changed": 1},
        "notes": [
            "baseline differs: snapshot msp-standard@1.2.0 (aaaaaaaaaaaa), "
            "now msp-standard@1.2.0 (bbbbbbbbbbbb)"
        ],
        "changes": [
            {
                "kind": "check_failing",
                "host": "sw1",
                "subject": "net.ssh",
                "severity": "high",
                "detail": "now fails: title of net.ssh (expected 2, found 1)",
                "before": None,
                "after": "fail",
            },
            {
                "kind": "config_changed",
                "host": "sw1",
                "subject": "config.running_redacted",
                "severity": "medium",
                "detail": "configuration changed (2 lines)",
                "before": "1",
                "after": "2",
                "diff": ["--- accepted", "+++ now", "@@ -1 +1 @@", "-a", "+b"],
            },
        ],
    }
    assert DRIFT_DOCUMENT_VERSION == "1.0"


def test_to_document_without_drift() -> None:
    document = to_document(compute(*_runs([_host("web1")], [_host("web1")])))
    assert (document["drift"], document["counts"], document["changes"], document["notes"]) == (
        False,
        {},
        [],
        [],
    )
