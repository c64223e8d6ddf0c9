"""The one place a finished run goes into history (used by `verify baseline` and `drift`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from verifier.history.store import RunContext, accept, save_run
from verifier.models import RunResult
from verifier.pipeline import utc_now


@dataclass(frozen=True)
class Recorded:
    run_id: int
    accepted: bool


def record(
    conn: sqlite3.Connection,
    run: RunResult,
    command: str,
    inventory: Path,
    limit: str | None,
    exit_code: int,
    accept_run: bool = False,
) -> Recorded:
    run_id = save_run(conn, run, RunContext(command, inventory, limit, exit_code))
    if accept_run:
        accept(conn, run_id, utc_now())
    return Recorded(run_id, accept_run)
