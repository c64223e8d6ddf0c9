"""`verify remediate apply`: verify the touched hosts, run the playbook, verify again, compare.

The hosts and checks come from the generated playbook itself (its plays' host lists and its
tasks' check-id tags), and the baseline from its header, so the before/after comparison uses
exactly what the playbook was made for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from verifier.collectors.ansible import PlaybookOutcome, apply_playbook
from verifier.collectors.base import CollectOptions
from verifier.errors import InputError
from verifier.events import EventSink, ignore
from verifier.models import RunResult, Status
from verifier.pipeline import RunRequest, run_baseline

_BASELINE_LINE = re.compile(r"^# Baseline: (\S+@\S+) sha256 ([0-9a-f]{64})$", re.M)


class _Loader(yaml.SafeLoader):
    pass


# The generated playbook marks host names !unsafe; here they are only names to compare.
def _unsafe(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node)) if isinstance(node, yaml.ScalarNode) else ""


_Loader.add_constructor("!unsafe", _unsafe)


@dataclass(frozen=True)
class Target:
    hosts: frozenset[str]
    check_tags: Mapping[str, frozenset[str]]  # check id -> every tag of its task
    baseline: str | None  # name@version from the header, if any
    baseline_sha256: str | None


@dataclass(frozen=True)
class CheckChange:
    host: str
    check_id: str
    before: str
    after: str


@dataclass(frozen=True)
class ApplyResult:
    outcome: PlaybookOutcome
    before: RunResult
    after: RunResult | None  # None in check mode
    changes: tuple[CheckChange, ...]

    @property
    def still_failing(self) -> list[CheckChange]:
        return [c for c in self.changes if c.after != Status.PASS.value]


def read_target(playbook: Path) -> Target:
    try:
        text = playbook.read_text(encoding="utf-8")
        plays = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except FileNotFoundError:
        raise InputError(f"{playbook}: playbook not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"{playbook}{line}: invalid YAML") from None
    if not isinstance(plays, list):
        raise InputError(f"{playbook}: not a playbook (a list of plays)")
    hosts: set[str] = set()
    check_tags: dict[str, frozenset[str]] = {}
    for play in plays:
        if not isinstance(play, dict) or not isinstance(play.get("hosts"), list):
            raise InputError(f"{playbook}: not written by verify (each play needs a host list)")
        hosts.update(str(h) for h in play["hosts"])
        for task in play.get("tasks") or []:
            tags = task.get("tags") if isinstance(task, dict) else None
            if isinstance(tags, list) and tags:
                # The writer puts the check id first, then severity and flags.
                check_tags[str(tags[0])] = frozenset(str(t) for t in tags)
    match = _BASELINE_LINE.search(text)
    return Target(
        hosts=frozenset(hosts),
        check_tags=check_tags,
        baseline=match.group(1) if match else None,
        baseline_sha256=match.group(2) if match else None,
    )


def _statuses(run: RunResult, checks: frozenset[str]) -> Mapping[tuple[str, str], str]:
    return {
        (h.host.name, r.check_id): r.status.value
        for h in run.hosts
        for r in h.results
        if r.check_id in checks
    }


def _selected(
    check_tags: Mapping[str, frozenset[str]], tags: str | None, skip: str | None
) -> frozenset[str]:
    """The check ids whose tasks a --tags/--skip-tags selection runs, as Ansible decides it."""
    wanted = {t.strip() for t in (tags or "").split(",") if t.strip()}
    skipped = {t.strip() for t in (skip or "").split(",") if t.strip()}
    return frozenset(
        check
        for check, task_tags in check_tags.items()
        if (not wanted or task_tags & wanted) and not task_tags & skipped
    )


def apply(
    playbook: Path,
    request: RunRequest,
    check_mode: bool = False,
    emit: EventSink = ignore,
    tags: str | None = None,
    skip_tags: str | None = None,
) -> ApplyResult:
    target = read_target(playbook)
    if not target.hosts:
        raise InputError(f"{playbook}: no hosts to remediate")
    scoped = replace(request, baseline=request.baseline or target.baseline, only_hosts=target.hosts)
    before = run_baseline(scoped, emit=emit)
    if target.baseline_sha256 and before.baseline.sha256 != target.baseline_sha256:
        raise InputError(
            f"{playbook}: written for {target.baseline} sha256 {target.baseline_sha256[:12]}, "
            f"which now resolves to {before.baseline.sha256[:12]}; regenerate the playbook"
        )
    options = CollectOptions(
        inventory=request.inventory,
        forks=request.forks,
        connect_timeout=request.connect_timeout,
        task_timeout=request.task_timeout,
        vault_password_file=request.vault_password_file,
    )
    outcome = apply_playbook(
        playbook, options, request.limit, check_mode=check_mode, tags=tags, skip_tags=skip_tags
    )
    if check_mode:
        return ApplyResult(outcome, before, None, ())
    after = run_baseline(scoped, emit=emit)
    was = _statuses(before, frozenset(target.check_tags))
    now = _statuses(after, frozenset(target.check_tags))
    # Checks deselected with --tags/--skip-tags were not attempted: leave them out.
    attempted = _selected(target.check_tags, tags, skip_tags)
    changes = tuple(
        CheckChange(host, check, was[(host, check)], now.get((host, check), "unknown"))
        for host, check in sorted(was)
        if was[(host, check)] == Status.FAIL.value and check in attempted
    )
    return ApplyResult(outcome, before, after, changes)
