"""How each failed check gets fixed, as the remediation planner decides it: by a shipped role
(automated) or by hand (manual, with the baseline's instruction). Reports show the same answer
the generated playbook does, because both come from one plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from verifier.models import RunResult
from verifier.remediation.playbook_file import plan_from_run


@dataclass(frozen=True)
class Fix:
    kind: str  # automated | manual
    role: str | None = None
    instruction: str = ""

    def to_document(self) -> dict[str, Any]:
        if self.kind == "automated":
            return {"kind": self.kind, "role": self.role}
        return {"kind": self.kind, "instruction": self.instruction}


def fixes_for(run: RunResult) -> Mapping[tuple[str, str], Fix]:
    """(host, check id) -> Fix, for every failed check of the run."""
    plan = plan_from_run(run, "this run")
    fixes: dict[tuple[str, str], Fix] = {}
    for calls in plan.plays.values():
        for call in calls:
            for host in call.hosts:
                fixes[(host, call.check.id)] = Fix("automated", role=call.role)
    for action in plan.manual:
        for host in action.hosts:
            fixes[(host, action.check.id)] = Fix("manual", instruction=action.instruction)
    return fixes
