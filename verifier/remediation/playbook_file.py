"""Plans from a run or a saved report, written to a playbook file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from verifier.baselines.loader import load as load_baseline
from verifier.errors import InputError
from verifier.models import RunResult
from verifier.remediation.planner import Plan, failures_from_report, failures_from_run, plan
from verifier.remediation.writer import render
from verifier.resources import roles_dir


def _role_available(name: str) -> bool:
    return (roles_dir() / name / "tasks" / "main.yml").is_file()


def role_platforms(name: str, roles: Path | None = None) -> frozenset[str] | None:
    """The network platforms a shipped role configures: `<role>_platforms` in its
    `vars/main.yml` (the list the role checks itself); None when it names none (not a network
    role) or the file cannot be read."""
    path = (roles or roles_dir()) / name / "vars" / "main.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    found = data.get(f"{name}_platforms") if isinstance(data, dict) else None
    if not isinstance(found, list) or not all(isinstance(p, str) for p in found):
        return None
    return frozenset(found)


def plan_from_run(run: RunResult, source: str) -> Plan:
    return plan(run.baseline, failures_from_run(run), source, _role_available, role_platforms)


def plan_from_report(report: Path, baseline_spec: str | None = None) -> Plan:
    """Plan from a saved JSON report. The baseline is the one the report names, and must be
    the same content (sha256) unless another is given explicitly."""
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
        named = document["baseline"]
        spec = baseline_spec or f"{named['name']}@{named['version']}"
    except FileNotFoundError:
        raise InputError(f"{report}: report not found") from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{report}: not a verify JSON report ({exc})") from None
    baseline = load_baseline(spec)
    if baseline_spec is None and baseline.sha256 != named.get("sha256"):
        raise InputError(
            f"{report}: made with {spec} sha256 {str(named.get('sha256'))[:12]}, but that "
            f"baseline now resolves to {baseline.sha256[:12]}; pass --baseline to choose one"
        )
    try:
        failures = failures_from_report(document)
    except (KeyError, ValueError) as exc:
        raise InputError(f"{report}: malformed host entry ({exc})") from None
    return plan(baseline, failures, str(report), _role_available, role_platforms)


def write_playbook(result: Plan, path: Path) -> None:
    """Atomic write, like the JSON report."""
    text = render(result, roles_dir())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
