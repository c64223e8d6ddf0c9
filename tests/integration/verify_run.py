"""Run the real `verify` CLI over the lab and read its JSON report (shared by integration tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lab

VERIFY = [sys.executable, "-m", "verifier"]
CANARIES = (lab.CANARY_PASSWORD, lab.CANARY_BECOME_PASSWORD)


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    report: dict[str, Any]
    workdir: Path

    def host(self, name: str) -> dict[str, Any]:
        return next(h for h in self.report["hosts"] if h["name"] == name)

    def status(self, host: str, check: str) -> str:
        return next(c["status"] for c in self.host(host)["checks"] if c["id"] == check)

    def result(self, host: str, check: str) -> dict[str, Any]:
        return next(c for c in self.host(host)["checks"] if c["id"] == check)


def run_verify(inventory: Path, workdir: Path, *args: str) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    env = lab.ansible_env(workdir / "ansible", Path(sys.executable).parent)
    proc = subprocess.run(
        [
            *VERIFY,
            "baseline",
            "-i",
            str(inventory),
            "--timeout",
            "5",
            "-o",
            str(workdir / "report.json"),
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=workdir,
        timeout=600,
    )
    report = json.loads((workdir / "report.json").read_text(encoding="utf-8"))
    return Run(proc.returncode, proc.stdout, proc.stderr, report, workdir)
