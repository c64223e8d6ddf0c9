"""The JSON report: a documented, versioned document (schema in report.schema.json)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from verifier import __version__
from verifier.models import CheckResult, HostResult, RunResult
from verifier.reporters.files import write_atomic
from verifier.reporters.fixes import Fix, fixes_for

REPORT_SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


def _check(result: CheckResult, titles: dict[str, str], fix: Fix | None) -> dict[str, Any]:
    document = {
        "id": result.check_id,
        "title": titles.get(result.check_id, ""),
        "status": result.status.value,
        "severity": result.severity.value,
        "expected": result.expected,
        "actual": result.actual,
        "evidence": dict(result.evidence),
        "message": result.message,
    }
    if fix is not None:
        document["fix"] = fix.to_document()
    return document


def _host(
    host: HostResult, titles: dict[str, str], fixes: Mapping[tuple[str, str], Fix]
) -> dict[str, Any]:
    return {
        "name": host.host.name,
        "address": host.host.address,
        "platform": host.host.platform.value,
        "class": host.host.device_class,
        "status": host.status.value,
        "message": host.message,
        "collected_at": host.facts.collected_at if host.facts else None,
        "probe_errors": dict(host.facts.probe_errors) if host.facts else {},
        "checks": [
            _check(r, titles, fixes.get((host.host.name, r.check_id))) for r in host.results
        ],
    }


def to_document(run: RunResult) -> dict[str, Any]:
    titles = {c.id: c.title for c in run.baseline.checks}
    fixes = fixes_for(run)
    return {
        "report_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "verify", "version": __version__},
        "baseline": {
            "name": run.baseline.name,
            "version": run.baseline.version,
            "sha256": run.baseline.sha256,
        },
        "inventory": run.inventory,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "interrupted": run.interrupted,
        "summary": run.summary(),
        "hosts": [_host(h, titles, fixes) for h in run.hosts],
    }


def dumps(run: RunResult) -> str:
    return json.dumps(to_document(run), indent=2, default=str, ensure_ascii=False) + "\n"


def write(run: RunResult, path: Path) -> None:
    write_atomic(dumps(run), path)
