"""The fact changes that matter between two snapshots of one host."""

from __future__ import annotations

from typing import Any

import pytest

from verifier.history.fact_changes import (
    CONFIG_DIFF_LINES,
    SET_WATCHES,
    VALUE_WATCHES,
    FactChange,
    SetWatch,
    fact_changes,
)


def _at(path: str, value: Any) -> dict[str, Any]:
    """{"a": {"b": value}} for path "a.b"."""
    node: Any = value
    for part in reversed(path.split(".")):
        node = {part: node}
    return dict(node)


@pytest.mark.parametrize("watch", SET_WATCHES, ids=lambda w: w.path)
def test_set_watch_items_added_and_removed(watch: SetWatch) -> None:
    before = _at(watch.path, ["keep", "gone-b", "gone-a"])
    after = _at(watch.path, ["new-z", "keep", "new-y"])

    changes = fact_changes("linux", before, after)

    assert changes == [
        FactChange(
            watch.added, "new-y", None, "new-y", f"{watch.label} added: new-y", watch.severity
        ),
        FactChange(
            watch.added, "new-z", None, "new-z", f"{watch.label} added: new-z", watch.severity
        ),
        FactChange(
            watch.removed,
            "gone-a",
            "gone-a",
            None,
            f"{watch.label} removed: gone-a",
            watch.severity,
        ),
        FactChange(
            watch.removed,
            "gone-b",
            "gone-b",
            None,
            f"{watch.label} removed: gone-b",
            watch.severity,
        ),
    ]


def test_set_watch_kinds_and_severities() -> None:
    assert [(w.path, w.added, w.removed, w.severity) for w in SET_WATCHES] == [
        ("accounts.admins", "admin_added", "admin_removed", "high"),
        ("accounts.local_users", "user_added", "user_removed", "medium"),
        (
            "security_agents.installed",
            "security_agent_added",
            "security_agent_removed",
            "critical",
        ),
        ("backup.agents", "backup_agent_added", "backup_agent_removed", "high"),
        ("software.installed", "software_added", "software_removed", "low"),
    ]


@pytest.mark.parametrize("watch", SET_WATCHES, ids=lambda w: w.path)
@pytest.mark.parametrize("absent", [{}, None, "not a list"], ids=["missing", "null", "scalar"])
def test_a_set_fact_absent_on_one_side_is_no_change(watch: SetWatch, absent: Any) -> None:
    present = _at(watch.path, ["a", "b"])
    other = {} if absent == {} else _at(watch.path, absent)
    assert fact_changes("linux", present, other) == []
    assert fact_changes("linux", other, present) == []


def test_software_is_compared_by_name_not_version() -> None:
    before = {"software": {"installed": [{"name": "7-Zip", "version": "23.01"}, {"name": "Git"}]}}
    after = {
        "software": {
            "installed": [
                {"name": "7-Zip", "version": "24.08"},  # upgraded: not a change here
                {"name": "AnyDesk", "version": "9"},
                {"version": "1.0"},  # no name: ignored
            ]
        }
    }
    changes = fact_changes("windows", before, after)
    assert [(c.kind, c.subject, c.severity) for c in changes] == [
        ("software_added", "AnyDesk", "low"),
        ("software_removed", "Git", "low"),
    ]
    assert changes[0].detail == "software added: AnyDesk"


def test_unchanged_sets_in_another_order_are_no_change() -> None:
    before = {"accounts": {"admins": ["root", "ops"], "local_users": ["a", "b"]}}
    after = {"accounts": {"admins": ["ops", "root", "ops"], "local_users": ["b", "a"]}}
    assert fact_changes("linux", before, after) == []


@pytest.mark.parametrize(
    ("platform", "path", "kind", "label", "severity"),
    [
        ("linux", "os.version", "os_changed", "OS version", "medium"),
        ("windows", "os.version", "os_changed", "OS version", "medium"),
        ("network", "os.version", "firmware_changed", "firmware version", "medium"),
        ("linux", "hardware.serial", "serial_changed", "hardware serial", "high"),
        ("windows", "hardware.serial", "serial_changed", "hardware serial", "high"),
        ("network", "hardware.serial", "serial_changed", "hardware serial", "high"),
    ],
)
def test_value_watches(platform: str, path: str, kind: str, label: str, severity: str) -> None:
    changes = fact_changes(platform, _at(path, "1.0"), _at(path, "2.0"))
    assert changes == [
        FactChange(kind, path, "1.0", "2.0", f"{label} changed: 1.0 -> 2.0", severity)
    ]
    assert fact_changes(platform, _at(path, "1.0"), _at(path, "1.0")) == []
    assert fact_changes(platform, _at(path, "1.0"), {}) == []
    assert fact_changes(platform, _at(path, None), _at(path, "2.0")) == []


def test_value_watch_kinds() -> None:
    assert [(w.path, w.kind, w.platforms) for w in VALUE_WATCHES] == [
        ("os.version", "os_changed", ("linux", "windows")),
        ("os.version", "firmware_changed", ("network",)),
        ("hardware.serial", "serial_changed", ()),
    ]


def _config(text: str, sha: str) -> dict[str, Any]:
    return {"config": {"sha256": sha, "running_redacted": text}}


def test_config_change_carries_a_unified_diff() -> None:
    before = _config(
        "hostname sw1\nsnmp-server community <redacted> RO\nntp server 10.0.0.1\n", "a"
    )
    after = _config("hostname sw1\nntp server 10.0.0.2\nlogging host 10.0.0.9\n", "b")

    [change] = fact_changes("network", before, after)

    assert (change.kind, change.subject, change.before, change.after, change.severity) == (
        "config_changed",
        "config.running_redacted",
        "a",
        "b",
        "medium",
    )
    assert change.detail == "configuration changed (4 lines)"
    assert change.diff == (
        "--- accepted",
        "+++ now",
        "@@ -1,3 +1,3 @@",
        " hostname sw1",
        "-snmp-server community <redacted> RO",
        "-ntp server 10.0.0.1",
        "+ntp server 10.0.0.2",
        "+logging host 10.0.0.9",
    )


def test_config_with_the_same_hash_or_a_hash_missing_is_no_change() -> None:
    assert fact_changes("network", _config("a\n", "x"), _config("b\n", "x")) == []
    assert fact_changes("network", _config("a\n", "x"), {"config": {"running_redacted": "b"}}) == []
    assert fact_changes("network", {}, _config("b\n", "y")) == []


def test_config_change_without_texts_has_no_diff() -> None:
    [change] = fact_changes("network", {"config": {"sha256": "a"}}, {"config": {"sha256": "b"}})
    assert change.diff == () and change.detail == "configuration changed (0 lines)"


def test_long_config_diff_is_truncated() -> None:
    old = "\n".join(f"interface Gi1/0/{i}\n description old-{i}" for i in range(100))
    new = "\n".join(f"interface Gi1/0/{i}\n description new-{i}" for i in range(100))

    [change] = fact_changes("network", _config(old, "a"), _config(new, "b"))

    assert change.detail == "configuration changed (200 lines)"  # counts every changed line
    assert len(change.diff) == CONFIG_DIFF_LINES + 1 == 61
    assert change.diff[:2] == ("--- accepted", "+++ now")
    # One hunk (one context line between changes): file headers, hunk header, and per
    # interface its unchanged line plus the -/+ pair.
    full = 2 + 1 + 100 * 3
    assert change.diff[-1] == f"... {full - CONFIG_DIFF_LINES} more diff lines"
