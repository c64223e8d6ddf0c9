"""record(): the one place a finished run goes into history."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers import baseline, check, reachable
from verifier.history import recorder, store
from verifier.history.db import HistoryError, open_db
from verifier.models import RunResult
from verifier.pipeline import evaluate_run


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return open_db(tmp_path / "h.db")


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inv.yml"
    path.write_text("all:\n  hosts:\n    h1: {}\n", encoding="utf-8")
    return path


def _run(inventory: Path, interrupted: bool = False) -> RunResult:
    return evaluate_run(
        baseline(check()),
        inventory,
        [reachable({"a": {"b": True}})],
        "2026-11-05T10:00:00+00:00",
        interrupted=interrupted,
    )


def test_record_stores_without_accepting(conn: sqlite3.Connection, inventory: Path) -> None:
    recorded = recorder.record(conn, _run(inventory), "drift", inventory, "h1", 0)

    assert recorded == recorder.Recorded(run_id=1, accepted=False)
    record = store.load_record(conn, 1)
    assert (record.command, record.limit_pattern, record.exit_code, record.accepted) == (
        "drift",
        "h1",
        0,
        False,
    )
    assert store.accepted_run_id(conn, str(inventory.resolve())) is None


def test_record_and_accept(conn: sqlite3.Connection, inventory: Path) -> None:
    recorder.record(conn, _run(inventory), "baseline", inventory, None, 0)
    recorded = recorder.record(conn, _run(inventory), "baseline", inventory, None, 0, True)

    assert recorded == recorder.Recorded(run_id=2, accepted=True)
    assert store.accepted_run_id(conn, str(inventory.resolve())) == 2
    accepted_at = conn.execute("SELECT accepted_at FROM acceptances").fetchone()[0]
    assert abs(datetime.fromisoformat(accepted_at) - datetime.now(UTC)) < timedelta(hours=1)


def test_an_interrupted_run_is_kept_but_not_accepted(
    conn: sqlite3.Connection, inventory: Path
) -> None:
    with pytest.raises(HistoryError, match="run 1 was interrupted"):
        recorder.record(
            conn, _run(inventory, interrupted=True), "baseline", inventory, None, 130, True
        )
    assert store.load_record(conn, 1).interrupted is True
    assert store.accepted_run_id(conn, str(inventory.resolve())) is None
