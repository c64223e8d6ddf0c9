"""Drift: what changed between the accepted snapshot of an inventory and tonight's run.

Changes are of three sorts: hosts (added, missing, unreachable, back), checks (newly failing,
fixed, no longer verifiable) and facts that matter (fact_changes.py). Good news (a fixed check,
a host back) is drift too: the engineer wants to hear that the state moved either way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from verifier.history.fact_changes import fact_changes
from verifier.history.records import RunRecord, StoredHost, StoredRun
from verifier.models import Severity

DRIFT_DOCUMENT_VERSION = "1.0"
_REACHABLE = "reachable"
_RESOLVED = frozenset({"pass", "skipped", "waived"})
_UNVERIFIED = frozenset({"unknown", "error"})


@dataclass(frozen=True)
class Change:
    kind: str
    host: str
    subject: str  # check id, fact path or item name; "" for host-level changes
    severity: str
    detail: str  # one human-readable line
    before: Any = None
    after: Any = None
    diff: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drift:
    base: RunRecord
    current: RunRecord
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        return dict(Counter(c.kind for c in self.changes))


def _severity_rank(change: Change) -> int:
    try:
        return Severity(change.severity).rank
    except ValueError:
        return len(Severity)


def compute(base: StoredRun, current: StoredRun) -> Drift:
    changes: list[Change] = []
    notes: list[str] = []
    if base.run.baseline_sha256 != current.run.baseline_sha256:
        notes.append(
            f"baseline differs: snapshot {base.run.baseline_ref} "
            f"({base.run.baseline_sha256[:12]}), now {current.run.baseline_ref} "
            f"({current.run.baseline_sha256[:12]})"
        )
    if current.run.limit_pattern:
        notes.append(f"--limit {current.run.limit_pattern}: hosts outside it are not compared")
    old_hosts = {h.name: h for h in base.hosts}
    new_hosts = {h.name: h for h in current.hosts}
    for name, host in new_hosts.items():
        old = old_hosts.get(name)
        if old is None:
            changes.append(
                Change(
                    "host_added", name, "", "medium", f"new host ({host.status})", None, host.status
                )
            )
        else:
            changes.extend(_host_changes(old, host))
    if not current.run.limit_pattern:
        for name in old_hosts.keys() - new_hosts.keys():
            changes.append(
                Change(
                    "host_missing",
                    name,
                    "",
                    "high",
                    "host is no longer in the inventory",
                    old_hosts[name].status,
                    None,
                )
            )
    changes.sort(key=lambda c: (_severity_rank(c), c.host, c.kind, c.subject))
    return Drift(base.run, current.run, tuple(changes), tuple(notes))


def _host_changes(old: StoredHost, new: StoredHost) -> Iterable[Change]:
    was_up, is_up = old.status == _REACHABLE, new.status == _REACHABLE
    if was_up and not is_up:
        yield Change(
            "host_unreachable",
            new.name,
            "",
            "high",
            f"host is {new.status}: {new.message}".rstrip(": "),
            old.status,
            new.status,
        )
        return
    if not was_up and is_up:
        failing = sum(1 for c in new.checks if c.status == "fail")
        yield Change(
            "host_recovered",
            new.name,
            "",
            "medium",
            f"host is reachable again ({failing} failing checks)",
            old.status,
            new.status,
        )
        return
    if not is_up:
        return
    yield from _check_changes(old, new)
    if old.facts is not None and new.facts is not None:
        for fact in fact_changes(new.platform, old.facts, new.facts):
            yield Change(
                fact.kind,
                new.name,
                fact.subject,
                fact.severity,
                fact.detail,
                fact.before,
                fact.after,
                fact.diff,
            )


def _check_changes(old: StoredHost, new: StoredHost) -> Iterable[Change]:
    for check in new.checks:
        before = old.check(check.check_id)
        was = before.status if before else None
        title = check.title or check.check_id
        if check.status == "fail" and was != "fail":
            wanted = "" if check.expected is None else f"expected {check.expected!r}, "
            yield Change(
                "check_failing",
                new.name,
                check.check_id,
                check.severity,
                f"now fails: {title} ({wanted}found {check.actual!r})",
                was,
                check.status,
            )
        elif was == "fail" and check.status in _RESOLVED:
            yield Change(
                "check_fixed",
                new.name,
                check.check_id,
                check.severity,
                f"fixed: {title}",
                was,
                check.status,
            )
        elif was == "pass" and check.status in _UNVERIFIED:
            yield Change(
                "check_unverifiable",
                new.name,
                check.check_id,
                check.severity,
                f"can no longer be verified: {title} ({check.message})".replace(" ()", ""),
                was,
                check.status,
            )


def to_document(drift: Drift) -> dict[str, Any]:
    def run(record: RunRecord) -> dict[str, Any]:
        return {
            "id": record.id,
            "started_at": record.started_at,
            "baseline": {
                "name": record.baseline_name,
                "version": record.baseline_version,
                "sha256": record.baseline_sha256,
            },
            "summary": dict(record.summary),
        }

    return {
        "drift_version": DRIFT_DOCUMENT_VERSION,
        "inventory": drift.current.inventory_path,
        "accepted_run": run(drift.base),
        "run": run(drift.current),
        "drift": drift.found,
        "counts": drift.counts(),
        "notes": list(drift.notes),
        "changes": [
            {
                "kind": c.kind,
                "host": c.host,
                "subject": c.subject,
                "severity": c.severity,
                "detail": c.detail,
                "before": c.before,
                "after": c.after,
                **({"diff": list(c.diff)} if c.diff else {}),
            }
            for c in drift.changes
        ],
    }
